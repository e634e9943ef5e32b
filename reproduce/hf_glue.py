#!/usr/bin/env python3
"""Independent reference for `memtune train` on GLUE RTE:
the same run in Hugging Face transformers + PEFT on PyTorch, on the same weights and the same split
(not run by CI; needs `pip install torch transformers peft`).

Same settings as reproduce/configs/glue (cpu scale): the first --max-train-samples training examples,
the LST split of the dev set (torch.randperm with seed 42, as the LST code draws it and as
dev.memtune.data.TorchRandperm re-implements it: first half validation, second half test, each in
file order), batch 32,
length <= 128 (longest-first truncation), AdamW (no decay on biases and LayerNorm weights), linear
warm-up over 6% of the steps then linear decay, gradient clipping at 1.0, dropout on, the best epoch
on validation. The head is memtune's (and HF's RobertaClassificationHead):
out_proj(dropout(tanh(dense(dropout(pool(h)))))), N(0, 0.02), pooling 'mean' (masked) or 'first'.

    python reproduce/hf_glue.py --model ~/.cache/memtune/models/minilm-l6 --task rte --method lora --lr 5e-4
    (the folder `memtune fetch-model minilm-l6` writes: config.json, model.safetensors, tokenizer.json)

Prints one line per epoch and a JSON summary (validation and test accuracy of the best epoch).
"""
import argparse, csv, json, math, os, random, sys, time

COLUMNS = {  # task: (first sentence column, second, label column, label names in order); only RTE checked against ours
    "rte": ("sentence1", "sentence2", "label", ["entailment", "not_entailment"]),
}


def read(path, task):
    a, b, lab, names = COLUMNS[task]
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [(r[a], r[b], names.index(r[lab])) for r in rows]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=os.path.expanduser("~/.cache/memtune/models/minilm-l6"))
    ap.add_argument("--data", default=os.environ.get("MEMTUNE_DATA", "data"))
    ap.add_argument("--task", default="rte", choices=sorted(COLUMNS))
    ap.add_argument("--method", default="full", choices=["full", "lora", "bitfit"])
    ap.add_argument("--pooling", default="mean", choices=["mean", "first"])
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--max-train-samples", type=int, default=1000, help="0: all")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--r", type=int, default=8)
    ap.add_argument("--lora-alpha", type=float, default=16)
    ap.add_argument("--target-modules", default="query,value", help="comma list, or all-linear")
    a = ap.parse_args()

    import torch
    from transformers import BertModel, PreTrainedTokenizerFast
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    random.seed(a.seed)

    train = read(os.path.join(a.data, a.task, "train.tsv"), a.task)
    if a.max_train_samples:
        train = train[:a.max_train_samples]
    dev = read(os.path.join(a.data, a.task, "dev.tsv"), a.task)
    p = torch.randperm(len(dev), generator=torch.Generator().manual_seed(42)).tolist()  # the LST code's split
    half = len(dev) // 2
    val = [dev[i] for i in sorted(p[:half])]
    test = [dev[i] for i in sorted(p[half:])]

    tok = PreTrainedTokenizerFast(tokenizer_file=os.path.join(a.model, "tokenizer.json"))
    tok.pad_token = "[PAD]"
    bert = BertModel.from_pretrained(a.model, add_pooling_layer=False)
    d, nl = bert.config.hidden_size, 2
    drop = bert.config.hidden_dropout_prob

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = bert
            self.dense = torch.nn.Linear(d, d)
            self.out_proj = torch.nn.Linear(d, nl)
            for l in (self.dense, self.out_proj):
                torch.nn.init.normal_(l.weight, std=0.02)
                torch.nn.init.zeros_(l.bias)
            self.drop = torch.nn.Dropout(drop)

        def forward(self, enc):
            h = self.bert(**enc).last_hidden_state
            if a.pooling == "mean":
                w = enc["attention_mask"].unsqueeze(-1).float()
                x = (h * w).sum(1) / w.sum(1).clamp(min=1)
            else:
                x = h[:, 0]
            return self.out_proj(self.drop(torch.tanh(self.dense(self.drop(x)))))

    model = Model()
    if a.method == "lora":
        from peft import LoraConfig, get_peft_model
        model.bert = get_peft_model(bert, LoraConfig(r=a.r, lora_alpha=a.lora_alpha, lora_dropout=0.1,
                                                     target_modules=a.target_modules if a.target_modules == "all-linear" else a.target_modules.split(",")))
    elif a.method == "bitfit":
        for n, q in model.bert.named_parameters():
            q.requires_grad = n.endswith(".bias")
    named = [(n, q) for n, q in model.named_parameters() if q.requires_grad]
    exempt = {n for n, _ in named if n.endswith("bias") or "LayerNorm" in n}     # memtune's AdamW.decays
    decay = [q for n, q in named if n not in exempt]
    no_decay = [q for n, q in named if n in exempt]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=a.lr, eps=1e-8)
    steps_per_epoch = math.ceil(len(train) / a.batch)
    total = steps_per_epoch * a.epochs
    warm = math.ceil(0.06 * total)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: s / max(1, warm) if s < warm else max(0.0, (total - s) / max(1, total - warm)))
    print(f"{a.task} {a.method} lr {a.lr} seed {a.seed}: train {len(train)}, validation {len(val)}, test {len(test)}, "
          f"trainable {sum(q.numel() for _, q in named)}", file=sys.stderr)

    def encode(rows):
        return tok([r[0] for r in rows], [r[1] for r in rows], truncation="longest_first", max_length=a.max_length,
                   padding=True, return_tensors="pt", return_token_type_ids=True)

    def accuracy(rows):
        model.eval()
        right = 0
        with torch.no_grad():
            for i in range(0, len(rows), 128):
                chunk = rows[i:i + 128]
                pred = model(encode(chunk)).argmax(-1)
                right += sum(int(p_) == r[2] for p_, r in zip(pred.tolist(), chunk))
        return right / len(rows)

    best = None
    for epoch in range(1, a.epochs + 1):
        model.train()
        order = list(range(len(train)))
        random.shuffle(order)
        t0, losses = time.time(), []
        for s in range(0, len(order), a.batch):
            rows = [train[i] for i in order[s:s + a.batch]]
            loss = torch.nn.functional.cross_entropy(model(encode(rows)), torch.tensor([r[2] for r in rows]))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([q for _, q in named], 1.0)
            opt.step()
            sched.step()
            losses.append(loss.item())
        v = accuracy(val)
        line = {"epoch": epoch, "train_loss": sum(losses) / len(losses), "validation": v, "seconds": round(time.time() - t0, 1)}
        if best is None or v > best["validation"]:
            line["test"] = accuracy(test)
            best = line
        print(json.dumps(line), file=sys.stderr)
    majority = max(sum(r[2] == c for r in val) for c in range(nl)) / len(val)
    print(json.dumps({"task": a.task, "method": a.method, "pooling": a.pooling, "lr": a.lr, "seed": a.seed,
                      "epochs": a.epochs, "train": len(train), "best_epoch": best["epoch"],
                      "validation": best["validation"], "test": best["test"], "validation_majority": majority}))


if __name__ == "__main__":
    main()
