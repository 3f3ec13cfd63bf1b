#!/usr/bin/env bash
# Throughput of `lahja jobs` (Redis Streams) with 1 and 2 workers against offline `lahja predict`, same model, same
# input, on this machine. Starts its own redis-server (Debian's) on a free loopback port in a temporary directory
# (AOF on, as in the tests) and stops it at the end. Each timing is wall-clock from process start to exit (model
# loading included) for predict, and from the first worker's start to the last worker's exit for jobs.
# Usage: bench/jobs_bench.sh [TEXTS (default 3000)] [MODEL (default: the bundled model)]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
texts=${1:-3000}
model=${2:-$root/models/default}
data="$root/../shared/data"
work=$(mktemp -d)
command -v redis-server >/dev/null || { echo "jobs_bench: redis-server is required (apt-get install -y redis-server)" >&2; exit 1; }
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --appendonly yes --save '' --daemonize no --logfile "$work/redis.log" &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; rm -rf "$work"' EXIT
url="redis://127.0.0.1:$port"
"$root/lahja" dialects >/dev/null  # builds the Release CLI once, outside the timings

# Input: the NADI 2024 test sentences, repeated to TEXTS lines; synthetic sentences when the shared data is absent.
sentences="$data/nadi/mladi-test/NADI2024_subtask1_test_sentences.tsv"
/usr/bin/python3 - "$sentences" "$texts" > "$work/input.txt" <<'PY'
import os, random, sys
path, n = sys.argv[1], int(sys.argv[2])
if os.path.exists(path):
    with open(path, encoding="utf-8") as f:
        next(f)
        lines = [l.rstrip("\n").replace("\t", " ") for l in f if l.strip()]
else:
    random.seed(7)
    words = "شو عم تعمل هلق كيفك شلونك حبيبي ازيك يا زول واش راك برشا ليش هيك والله منيح بدي".split()
    lines = [" ".join(random.choice(words) for _ in range(random.randint(3, 25))) for _ in range(1000)]
for i in range(n):
    print(lines[i % len(lines)])
PY
source_name=$([ -f "$sentences" ] && echo "NADI 2024 test sentences" || echo "synthetic sentences")

seconds() { /usr/bin/python3 -c "import time; print(time.monotonic())"; }
rate() { /usr/bin/python3 -c "print(f'{$1 / ($3 - $2):.1f}')"; }

t0=$(seconds)
"$root/lahja" predict -m "$model" -i "$work/input.txt" -f jsonl -o "$work/offline.jsonl" 2>/dev/null
t1=$(seconds)
offline=$(rate "$texts" "$t0" "$t1")

run_job() { # NAME WORKERS THREADS
  "$root/lahja" jobs submit --redis "$url" --job "$1" -i "$work/input.txt" -m "$model" 2>/dev/null
  local start end pids=()
  start=$(seconds)
  for w in $(seq 1 "$2"); do
    "$root/lahja" jobs work --redis "$url" --job "$1" -m "$model" ${3:+--threads $3} --name "w$w" 2>"$work/$1-w$w.log" & pids+=($!)
  done
  wait "${pids[@]}"
  end=$(seconds)
  "$root/lahja" jobs collect --redis "$url" --job "$1" -o "$work/$1.jsonl" 2>/dev/null
  [ "$(wc -l < "$work/$1.jsonl")" -eq "$texts" ] || { echo "jobs_bench: $1 collected the wrong number of lines" >&2; exit 1; }
  rate "$texts" "$start" "$end"
}
one=$(run_job one 1 "")
two=$(run_job two 2 1)
ratio() { /usr/bin/python3 -c "print(f'{$1 / $2:.2f}x')"; }
echo "input: $texts $source_name; model: $model; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| run | texts/s | vs offline predict |"
echo "|---|---|---|"
echo "| lahja predict (offline, engine default threads) | $offline | 1.00x |"
echo "| jobs, 1 worker (engine default threads) | $one | $(ratio "$one" "$offline") |"
echo "| jobs, 2 workers (--threads 1 each) | $two | $(ratio "$two" "$offline") |"
