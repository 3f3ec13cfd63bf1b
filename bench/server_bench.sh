#!/usr/bin/env bash
# Load test of the HTTP service (bench/Lahja.ServerBench): requests/s and p50/p95/p99 latency at 1, 8 and 32
# concurrent clients on loopback, one text per request (and, for BERT-base at 32 clients, four), and the ratio of served texts/s to offline
# DialectIdentifier.Predict in the same process. Two models: the tiny test checkpoint (hidden 32; measures the
# service's own overhead) and a random BERT-base-shaped one (vocab 30,000, 12 layers, hidden 768; generated as in
# bench/model_bench.sh). Input: the first N of the 1,000 NADI 2024 test sentences. Results go to docs by hand.
#   bench/server_bench.sh [TEXTS_TINY] [TEXTS_BASE]      (defaults 1000 and 300)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/common.sh"
bench_setup
bench_sentences
bench_base_checkpoint
dotnet build "$root/bench/Lahja.ServerBench" -c Release -o "$work/server-bin" --nologo >"$work/server-build.log" 2>&1 || { cat "$work/server-build.log"; exit 1; }
echo "machine: $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$work/server-bin/Lahja.ServerBench.dll" --model "$root/tests/Lahja.Torch.Tests/Fixtures/checkpoints/f32" --input "$work/sentences.jsonl" --texts "${1:-1000}" --threads 2 --batch-size 32
echo
dotnet "$work/server-bin/Lahja.ServerBench.dll" --model "$work/base" --input "$work/sentences.jsonl" --texts "${2:-300}" --threads 2 --batch-size 32
echo
# Clients that send their texts a few at a time, as a labelling job does.
dotnet "$work/server-bin/Lahja.ServerBench.dll" --model "$work/base" --input "$work/sentences.jsonl" --texts "${2:-300}" --threads 2 --batch-size 32 --clients 32 --texts-per-request 4
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
