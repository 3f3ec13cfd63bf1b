#!/usr/bin/env python3
"""Makes a deeper BERT checkpoint from a trained shallow one by stacking its encoder layers (progressive stacking,
Gong et al. 2019): layer i of the new model is a copy of layer i mod N of the old. A 12-layer model from the bundled
2-layer one starts from trained weights and, fine-tuned briefly (`lahja train --init`), gives the BERT-base-depth
trained model that bench/quantization_check.sh needs; trained from scratch, a 12 × 128 model stayed on the class-prior
plateau for a whole epoch here.
    /usr/bin/python3 bench/stack_layers.py --model models/default --layers 12 --out DIR
"""
import argparse, json, os, re, shutil, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "reference"))
from bert_reference import read_safetensors, write_safetensors  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--layers", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(os.path.join(args.model, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    old = config["num_hidden_layers"]
    if args.layers < old:
        sys.exit(f"stack_layers: --layers {args.layers} is fewer than the model's {old}")
    state = read_safetensors(os.path.join(args.model, "model.safetensors"))
    pattern = re.compile(r"^(.*\.layer\.)(\d+)(\..*)$")
    stacked = {}
    for name, tensor in state.items():
        match = pattern.match(name)
        if not match:
            stacked[name] = tensor
            continue
        source = int(match.group(2))
        for layer in range(source, args.layers, old):
            stacked[f"{match.group(1)}{layer}{match.group(3)}"] = tensor.clone()
    os.makedirs(args.out, exist_ok=True)
    config["num_hidden_layers"] = args.layers
    with open(os.path.join(args.out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
    write_safetensors(os.path.join(args.out, "model.safetensors"), stacked, "F32")
    for name in ("vocab.txt", "tokenizer_config.json"):
        shutil.copy(os.path.join(args.model, name), args.out)


if __name__ == "__main__":
    main()
