#!/usr/bin/env bash
# Rebuilds models/default, the bundled model, from the NADI data with Lahja's own pipeline:
#   1. a WordPiece vocabulary (8,000 tokens) learned from the three NADI training files (b2bert preprocessing);
#   2. multi-label targets from the offline teacher (issue 5): `lahja pseudo-label -t local` labels the 58,768
#      training tweets with cross-fitted char/word n-gram classifiers (every dialect within 0.3 × the top one), and
#      keeps their calibrated probabilities as soft targets;
#   3. a small BERT (2 layers, hidden 128) trained from scratch on those soft targets, with B2BERT's staged
#      curriculum by the teacher's label cardinality (3 epochs per stage), early stopping on NADI 2021 dev (arg-max
#      macro F1); initial weights N(0, 0.08), about 1/sqrt(hidden), because BERT's 0.02 kept this small model on the
#      class-prior plateau for epochs;
#   4. the decision rule tuned on NADI 2024 dev2 (`evaluate --tune --save` keeps the better of an absolute and a
#      relative threshold in lahja.json).
# Deterministic under the seed with 2 threads on the same kind of machine (a rerun reproduced the committed files
# byte for byte). About 14 minutes on 2 idle cores.
#   models/build-default.sh [SHARED_DATA]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data=${1:-${LAHJA_SHARED_DATA:-$root/../shared/data}}
nadi="$data/nadi"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
train=("$nadi/train/NADI2020-TWT.tsv" "$nadi/train/NADI2021-TWT.tsv" "$nadi/train/NADI2023_TWT.tsv")
"$root/lahja" vocab -i "${train[@]}" --size 8000 -o "$work/vocab"
"$root/lahja" pseudo-label -i "${train[@]}" -t local --threads 2 -o "$work/labels.tsv"
"$root/lahja" train --train "$work/labels.tsv" --soft-targets --dev "$nadi/dev/NADI2021-DA-dev.tsv" --vocab "$work/vocab" \
  --layers 2 --hidden 128 --heads 4 --intermediate 512 --max-length 64 --initializer-range 0.08 \
  --curriculum cardinality-stages --epochs 3 --lr 1e-3 --warmup 500 --batch-size 32 --dropout 0.1 --seed 42 --threads 2 \
  --patience 6 --output "$work/model"
"$root/lahja" evaluate -m "$work/model" --data "$nadi/mladi-dev/NADI2024_subtask1_dev2.tsv" --tune --save --threads 2
target="$root/models/default"
rm -rf "$target.new"
mkdir -p "$target.new"
cp "$work/model/"{config.json,model.safetensors,vocab.txt,tokenizer_config.json,lahja.json} "$target.new/"
rm -rf "$target"
mv "$target.new" "$target"
du -sh "$target"
