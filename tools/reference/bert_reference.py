#!/usr/bin/python3
"""Reference BERT for Lahja's parity tests, in plain PyTorch (Debian's python3-torch; no transformers needed).

  make-checkpoint  writes a random BertForSequenceClassification checkpoint as Hugging Face lays it out
                   (config.json, vocab.txt, model.safetensors in F32/F16/BF16, or pytorch_model.bin via torch.save)
  predict          the faithful forward pass of transformers' BertForSequenceClassification in eval mode
                   (post-LN encoder, erf GELU, extended attention mask (1 - mask) * finfo.min, tanh pooler,
                   classifier, sigmoid), on token ids given one JSON array per line; prints probabilities as JSON
  mlm-loss         transformers' BertForMaskedLM loss in eval mode (transform dense, GELU, LayerNorm, decoder tied to
                   the word embeddings plus cls.predictions.bias; cross-entropy ignoring labels of -100), for rows
                   {"ids": [...], "labels": [...]}: one line per row, then one for all rows as a padded batch

  bert_reference.py make-checkpoint --out DIR --vocab vocab.txt [--seed 7] [--layers 2] [--hidden 32] [--heads 4]
                    [--intermediate 64] [--max-positions 512] [--labels names|generic|reordered]
                    [--format safetensors|bin] [--dtype F32|F16|BF16] [--key-style hf|bare|legacy] [--mlm-head]
  bert_reference.py predict --model DIR [--batch-size 32] IDS.jsonl > PROBS.jsonl
  bert_reference.py mlm-loss --model DIR ROWS.jsonl > LOSSES.jsonl
  bert_reference.py bench --model DIR [--threads 2] [--batch-size 32] [--sort] IDS.jsonl
"""
import argparse
import json
import math
import os
import struct
import sys

import torch

DIALECTS = ["Algeria", "Bahrain", "Egypt", "Iraq", "Jordan", "Kuwait", "Lebanon", "Libya", "Morocco", "Oman",
            "Palestine", "Qatar", "Saudi_Arabia", "Sudan", "Syria", "Tunisia", "UAE", "Yemen"]


def parameter_shapes(cfg, num_labels):
    h, i = cfg["hidden_size"], cfg["intermediate_size"]
    shapes = [
        ("bert.embeddings.word_embeddings.weight", (cfg["vocab_size"], h)),
        ("bert.embeddings.position_embeddings.weight", (cfg["max_position_embeddings"], h)),
        ("bert.embeddings.token_type_embeddings.weight", (cfg["type_vocab_size"], h)),
        ("bert.embeddings.LayerNorm.weight", (h,)),
        ("bert.embeddings.LayerNorm.bias", (h,)),
    ]
    for layer in range(cfg["num_hidden_layers"]):
        p = f"bert.encoder.layer.{layer}."
        for name in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"):
            shapes += [(p + name + ".weight", (h, h)), (p + name + ".bias", (h,))]
        shapes += [(p + "attention.output.LayerNorm.weight", (h,)), (p + "attention.output.LayerNorm.bias", (h,)),
                   (p + "intermediate.dense.weight", (i, h)), (p + "intermediate.dense.bias", (i,)),
                   (p + "output.dense.weight", (h, i)), (p + "output.dense.bias", (h,)),
                   (p + "output.LayerNorm.weight", (h,)), (p + "output.LayerNorm.bias", (h,))]
    shapes += [("bert.pooler.dense.weight", (h, h)), ("bert.pooler.dense.bias", (h,)),
               ("classifier.weight", (num_labels, h)), ("classifier.bias", (num_labels,))]
    return shapes


def random_state(cfg, num_labels, seed, std):
    g = torch.Generator().manual_seed(seed)
    state = {}
    for name, shape in parameter_shapes(cfg, num_labels):
        if name.endswith("LayerNorm.weight"):
            t = 1.0 + 0.1 * torch.randn(shape, generator=g)
        elif name.endswith("bias"):
            t = 0.1 * torch.randn(shape, generator=g)
        else:
            t = std * torch.randn(shape, generator=g)
        state[name] = t.float()
    return state


SAFETENSORS_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def write_safetensors(path, state, dtype):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, tensor in state.items():
        t = tensor.to(SAFETENSORS_DTYPES[dtype] if tensor.is_floating_point() else tensor.dtype).contiguous()
        data = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        kind = dtype if tensor.is_floating_point() else "I64"
        header[name] = {"dtype": kind, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * ((8 - len(encoded) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    state = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        raw = bytearray(data[begin:end])
        kind = entry["dtype"]
        if kind == "BF16":
            t = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16)
        elif kind == "I64":
            t = torch.frombuffer(raw, dtype=torch.int64)
        else:
            t = torch.frombuffer(raw, dtype=SAFETENSORS_DTYPES[kind])
        state[name] = t.reshape(entry["shape"]).float() if kind != "I64" else t.reshape(entry["shape"])
    return state


def make_checkpoint(args):
    os.makedirs(args.out, exist_ok=True)
    with open(args.vocab, encoding="utf-8") as f:
        tokens = f.read().splitlines()
    # --vocab-size pads the vocabulary with BERT-style [unusedN] tokens, to reach a realistic embedding size.
    tokens += [f"[unused{i}]" for i in range(max(0, (args.vocab_size or 0) - len(tokens)))]
    with open(os.path.join(args.out, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(tokens) + "\n")
    vocab_size = len(tokens)
    labels = {"names": DIALECTS, "generic": [f"LABEL_{i}" for i in range(18)],
              "reordered": list(reversed(DIALECTS))}[args.labels]
    cfg = {
        "architectures": ["BertForSequenceClassification"], "attention_probs_dropout_prob": 0.1,
        "classifier_dropout": None, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "hidden_size": args.hidden,
        "id2label": {str(i): l for i, l in enumerate(labels)}, "label2id": {l: i for i, l in enumerate(labels)},
        "initializer_range": 0.02, "intermediate_size": args.intermediate, "layer_norm_eps": 1e-12,
        "max_position_embeddings": args.max_positions, "model_type": "bert", "num_attention_heads": args.heads,
        "num_hidden_layers": args.layers, "pad_token_id": 0, "position_embedding_type": "absolute",
        "problem_type": "multi_label_classification", "type_vocab_size": 2, "vocab_size": vocab_size,
    }
    with open(os.path.join(args.out, "config.json"), "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2)
    state = random_state(cfg, 18, args.seed, args.init_std)
    if args.mlm_head:
        # BertForPreTraining-style checkpoints (CAMeLBERT's) carry the masked-language head beside the encoder.
        cfg["architectures"] = ["BertForMaskedLM"]
        with open(os.path.join(args.out, "config.json"), "w", encoding="utf-8") as f:
            json.dump(cfg, f, indent=2)
        g = torch.Generator().manual_seed(args.seed + 1)
        h = args.hidden
        state["cls.predictions.transform.dense.weight"] = args.init_std * torch.randn((h, h), generator=g)
        state["cls.predictions.transform.dense.bias"] = 0.1 * torch.randn((h,), generator=g)
        state["cls.predictions.transform.LayerNorm.weight"] = 1.0 + 0.1 * torch.randn((h,), generator=g)
        state["cls.predictions.transform.LayerNorm.bias"] = 0.1 * torch.randn((h,), generator=g)
        state["cls.predictions.bias"] = 0.1 * torch.randn((vocab_size,), generator=g)
    if args.key_style != "hf":
        renamed = {}
        for k, v in state.items():
            if args.key_style == "legacy":
                k = k.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
            renamed[k] = v
        state = renamed
    state_to_save = dict(state)
    state_to_save["bert.embeddings.position_ids"] = torch.arange(args.max_positions).unsqueeze(0)
    if args.format == "safetensors":
        write_safetensors(os.path.join(args.out, "model.safetensors"), state_to_save, args.dtype)
    else:
        torch.save(state_to_save, os.path.join(args.out, "pytorch_model.bin"))


def load_model(directory):
    with open(os.path.join(directory, "config.json"), encoding="utf-8") as f:
        cfg = json.load(f)
    path = os.path.join(directory, "model.safetensors")
    state = read_safetensors(path) if os.path.exists(path) else torch.load(os.path.join(directory, "pytorch_model.bin"))
    canonical = {}
    for k, v in state.items():
        k = k.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")
        canonical[k] = v.float() if v.is_floating_point() else v
    return cfg, canonical


def layer_norm(x, w, b, eps):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, eps)


def forward(cfg, s, ids, mask):
    """transformers' BertForSequenceClassification.forward in eval mode: logits for a padded batch."""
    x = encode(cfg, s, ids, mask)
    pooled = torch.tanh(torch.nn.functional.linear(x[:, 0], s["bert.pooler.dense.weight"], s["bert.pooler.dense.bias"]))
    return torch.nn.functional.linear(pooled, s["classifier.weight"], s["classifier.bias"])


def encode(cfg, s, ids, mask):
    """transformers' BertModel in eval mode: the last layer's hidden states for a padded batch."""
    eps = cfg["layer_norm_eps"]
    heads = cfg["num_attention_heads"]
    batch, length = ids.shape
    positions = torch.arange(length).unsqueeze(0).expand(batch, length)
    x = (s["bert.embeddings.word_embeddings.weight"][ids]
         + s["bert.embeddings.position_embeddings.weight"][positions]
         + s["bert.embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)])
    x = layer_norm(x, s["bert.embeddings.LayerNorm.weight"], s["bert.embeddings.LayerNorm.bias"], eps)
    extended = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    head_size = cfg["hidden_size"] // heads
    for layer in range(cfg["num_hidden_layers"]):
        p = f"bert.encoder.layer.{layer}."

        def linear(t, name):
            return torch.nn.functional.linear(t, s[p + name + ".weight"], s[p + name + ".bias"])

        def split(t):
            return t.view(batch, length, heads, head_size).permute(0, 2, 1, 3)

        q, k, v = split(linear(x, "attention.self.query")), split(linear(x, "attention.self.key")), split(linear(x, "attention.self.value"))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(head_size) + extended
        context = torch.matmul(torch.softmax(scores, dim=-1), v).permute(0, 2, 1, 3).reshape(batch, length, cfg["hidden_size"])
        x = layer_norm(linear(context, "attention.output.dense") + x, s[p + "attention.output.LayerNorm.weight"], s[p + "attention.output.LayerNorm.bias"], eps)
        inner = torch.nn.functional.gelu(linear(x, "intermediate.dense"))
        x = layer_norm(linear(inner, "output.dense") + x, s[p + "output.LayerNorm.weight"], s[p + "output.LayerNorm.bias"], eps)
    return x


def mlm_loss(args):
    cfg, s = load_model(args.model)
    rows = [json.loads(line) for line in open(args.input, encoding="utf-8") if line.strip()]
    pad = cfg.get("pad_token_id", 0)

    def loss(chunk):
        width = max(len(r["ids"]) for r in chunk)
        ids = torch.tensor([r["ids"] + [pad] * (width - len(r["ids"])) for r in chunk], dtype=torch.long)
        mask = torch.tensor([[1] * len(r["ids"]) + [0] * (width - len(r["ids"])) for r in chunk], dtype=torch.long)
        labels = torch.tensor([r["labels"] + [-100] * (width - len(r["labels"])) for r in chunk], dtype=torch.long)
        x = encode(cfg, s, ids, mask)
        t = torch.nn.functional.linear(x, s["cls.predictions.transform.dense.weight"], s["cls.predictions.transform.dense.bias"])
        t = layer_norm(torch.nn.functional.gelu(t), s["cls.predictions.transform.LayerNorm.weight"], s["cls.predictions.transform.LayerNorm.bias"], cfg["layer_norm_eps"])
        scores = torch.nn.functional.linear(t, s["bert.embeddings.word_embeddings.weight"], s["cls.predictions.bias"])
        return torch.nn.functional.cross_entropy(scores.view(-1, cfg["vocab_size"]), labels.view(-1), ignore_index=-100).item()

    with torch.inference_mode():
        for row in rows:
            print(json.dumps({"loss": loss([row])}))
        print(json.dumps({"loss": loss(rows)}))


def predict(args):
    cfg, state = load_model(args.model)
    if args.strict:
        # What transformers' strict load_state_dict demands: exactly BertForSequenceClassification's keys.
        expected = {name: shape for name, shape in parameter_shapes(cfg, len(cfg["id2label"]))}
        found = {k: tuple(v.shape) for k, v in state.items() if k != "bert.embeddings.position_ids"}
        missing, unexpected = sorted(set(expected) - set(found)), sorted(set(found) - set(expected))
        wrong = sorted(k for k in set(expected) & set(found) if tuple(expected[k]) != found[k])
        if missing or unexpected or wrong:
            sys.exit(f"strict load failed: missing {missing}, unexpected {unexpected}, wrong shape {wrong}")
    rows = [json.loads(line) for line in open(args.input, encoding="utf-8") if line.strip()]
    out = sys.stdout
    with torch.inference_mode():
        for start in range(0, len(rows), args.batch_size):
            chunk = rows[start:start + args.batch_size]
            width = max(len(r) for r in chunk)
            ids = torch.tensor([r + [cfg.get("pad_token_id", 0)] * (width - len(r)) for r in chunk], dtype=torch.long)
            mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in chunk], dtype=torch.long)
            probabilities = torch.sigmoid(forward(cfg, state, ids, mask))
            for row in probabilities.tolist():
                out.write(json.dumps(row) + "\n")


def bench(args):
    """Sequences per second of the reference forward on pre-tokenized ids, and the process's peak RSS."""
    import resource
    import time
    torch.set_num_threads(args.threads)
    cfg, state = load_model(args.model)
    rows = [json.loads(line) for line in open(args.input, encoding="utf-8") if line.strip()]
    order = sorted(range(len(rows)), key=lambda i: len(rows[i])) if args.sort else list(range(len(rows)))

    def run():
        with torch.inference_mode():
            for start in range(0, len(order), args.batch_size):
                chunk = [rows[i] for i in order[start:start + args.batch_size]]
                width = max(len(r) for r in chunk)
                ids = torch.tensor([r + [0] * (width - len(r)) for r in chunk], dtype=torch.long)
                mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in chunk], dtype=torch.long)
                torch.sigmoid(forward(cfg, state, ids, mask))

    first = rows[: args.batch_size]
    with torch.inference_mode():  # warm-up
        width = max(len(r) for r in first)
        forward(cfg, state, torch.tensor([r + [0] * (width - len(r)) for r in first]), torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in first]))
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    print(json.dumps({"impl": "pytorch " + torch.__version__, "sorted": args.sort, "texts": len(rows), "seconds": seconds,
                      "per_second": len(rows) / seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def train_bench(args):
    """Training-step throughput: forward, BCE-with-logits on random 0/1 targets, backward, AdamW step (no dropout)."""
    import time
    torch.set_num_threads(args.threads)
    cfg, state = load_model(args.model)
    params = {k: v.clone().requires_grad_(True) for k, v in state.items() if v.is_floating_point()}
    s = dict(state)
    s.update(params)
    optimizer = torch.optim.AdamW(list(params.values()), lr=1e-4, weight_decay=0.01)
    generator = torch.Generator().manual_seed(1)
    ids = torch.randint(5, cfg["vocab_size"], (args.batch_size, args.length), generator=generator)
    mask = torch.ones_like(ids)
    targets = (torch.rand(args.batch_size, len(cfg["id2label"]), generator=generator) < 0.2).float()

    def step():
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(forward(cfg, s, ids, mask), targets)
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    started = time.perf_counter()
    for _ in range(args.steps):
        step()
    seconds = time.perf_counter() - started
    print(json.dumps({"impl": "pytorch " + torch.__version__, "batch": args.batch_size, "length": args.length, "steps": args.steps,
                      "seconds": seconds, "examples_per_second": args.steps * args.batch_size / seconds}))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make-checkpoint")
    m.add_argument("--out", required=True)
    m.add_argument("--vocab", required=True)
    m.add_argument("--seed", type=int, default=7)
    m.add_argument("--vocab-size", type=int, default=None)
    # 0.2 (ten times BERT's initializer_range) makes a tiny random model's probabilities spread out and input
    # sensitive. A deep, wide random model needs BERT's own 0.02: at 0.2 its attention saturates and it becomes
    # chaotic, so float rounding alone moves its outputs by 1e-3 — no longer a test of the implementation.
    m.add_argument("--init-std", type=float, default=0.2)
    m.add_argument("--layers", type=int, default=2)
    m.add_argument("--hidden", type=int, default=32)
    m.add_argument("--heads", type=int, default=4)
    m.add_argument("--intermediate", type=int, default=64)
    m.add_argument("--max-positions", type=int, default=512)
    m.add_argument("--labels", choices=["names", "generic", "reordered"], default="names")
    m.add_argument("--format", choices=["safetensors", "bin"], default="safetensors")
    m.add_argument("--dtype", choices=["F32", "F16", "BF16"], default="F32")
    m.add_argument("--key-style", choices=["hf", "legacy"], default="hf")
    m.add_argument("--mlm-head", action="store_true", help="add the masked-language head (cls.predictions.*)")
    p = sub.add_parser("predict")
    p.add_argument("--model", required=True)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--strict", action="store_true", help="fail unless the keys are exactly BertForSequenceClassification's")
    p.add_argument("input")
    l = sub.add_parser("mlm-loss")
    l.add_argument("--model", required=True)
    l.add_argument("input")
    b = sub.add_parser("bench")
    b.add_argument("--model", required=True)
    b.add_argument("--batch-size", type=int, default=32)
    b.add_argument("--threads", type=int, default=2)
    b.add_argument("--sort", action="store_true", help="batch texts of similar length together")
    b.add_argument("input")
    t = sub.add_parser("train-bench")
    t.add_argument("--model", required=True)
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--length", type=int, default=64)
    t.add_argument("--steps", type=int, default=20)
    t.add_argument("--warmup", type=int, default=3)
    t.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)
    {"make-checkpoint": make_checkpoint, "predict": predict, "mlm-loss": mlm_loss, "bench": bench, "train-bench": train_bench}[args.command](args)


if __name__ == "__main__":
    main()
