#!/usr/bin/env python3
"""Peer ratio for `memtune bench`: the same training step in Hugging Face transformers + PEFT on PyTorch (not run by CI).

BERT-base-sized BertForSequenceClassification (random init from its config; nothing downloaded),
fp32, AdamW, grad-norm clip 1.0, random token ids of full length, dropout on; full fine-tuning and
PEFT LoRA (r=8, alpha 16, dropout 0.1, query/value) and BitFit. Same thread count as ours
(--threads, default: all cores). Warm-up steps, then timed steps; median, tokens/s, and the median
of each phase (zero_grad, forward + loss, backward, clip, AdamW) for comparison with the phases
`memtune bench` prints for its full fine-tuning step.

    pip install torch transformers peft
    python reproduce/hf_bench.py --batch 16 --seq 128 --steps 3 [--ours bench.json]

Given the JSON of `memtune bench --out`, prints ours beside theirs with the ratio (ours / theirs tokens/s).
--trace FILE: one more step of the first method under torch.profiler, its Chrome trace to FILE and the ops with the
most self CPU time printed (compare with `memtune bench --trace`).
"""
import argparse, json, statistics, time


def run(method, a):
    import torch
    from transformers import BertConfig, BertForSequenceClassification
    torch.manual_seed(0)
    cfg = BertConfig(num_hidden_layers=a.layers, num_labels=2)
    if a.attn:
        cfg._attn_implementation = a.attn
    model = BertForSequenceClassification(cfg)
    if method == "lora":
        from peft import LoraConfig, get_peft_model
        model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.1, target_modules=["query", "value"], task_type="SEQ_CLS"))
    elif method == "bitfit":
        for n, p in model.named_parameters():
            p.requires_grad = n.endswith(".bias") or n.startswith("classifier")
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
    g = torch.Generator().manual_seed(42)
    ids = torch.randint(1, cfg.vocab_size, (a.batch, a.seq), generator=g)
    labels = torch.randint(0, 2, (a.batch,), generator=g)

    phases = {"zero_grad": [], "forward": [], "backward": [], "clip": [], "optimizer": []}

    def step():
        t = [time.perf_counter()]
        opt.zero_grad(set_to_none=not a.zero_grads)
        t.append(time.perf_counter())
        out = model(input_ids=ids, attention_mask=torch.ones_like(ids), token_type_ids=torch.zeros_like(ids), labels=labels)
        out.loss.item()
        t.append(time.perf_counter())
        out.loss.backward()
        t.append(time.perf_counter())
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        t.append(time.perf_counter())
        opt.step()
        t.append(time.perf_counter())
        return [b - a for a, b in zip(t, t[1:])]

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        ph = step()
        times.append(time.perf_counter() - t0)
        for k, v in zip(phases, ph):
            phases[k].append(v)
    if a.trace and method == a.methods.split(",")[0]:
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
            step()
        prof.export_chrome_trace(a.trace)
        print(f"{method} step, ops by self CPU time (torch.profiler, trace in {a.trace}):", flush=True)
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=25), flush=True)
    med = statistics.median(times)
    return {"stack": "hf", "method": method, "batch": a.batch, "seq": a.seq, "median_seconds": med, "min_seconds": min(times),
            "max_seconds": max(times), "tokens_per_second": a.batch * a.seq / med, "threads": torch.get_num_threads(),
            "torch": torch.__version__, "attn_implementation": getattr(model.config, "_attn_implementation", "?"), "set_to_none": not a.zero_grads,
            "phases_median_seconds": {k: statistics.median(v) for k, v in phases.items()}}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--methods", default="full,lora,bitfit")
    ap.add_argument("--attn", help="attention implementation (eager, sdpa); default: transformers' own choice")
    ap.add_argument("--zero-grads", action="store_true",
                    help="zero_grad(set_to_none=False); default set_to_none=True, PyTorch 2's and HF Trainer's default, "
                         "as memtune's training step (before 2026-12-05 both sides zeroed in place)")
    ap.add_argument("--ours", help="JSON written by memtune bench --out")
    ap.add_argument("--trace", help="write the Chrome trace of one more step of the first method here and print its top ops")
    a = ap.parse_args()
    import torch
    if a.threads:
        torch.set_num_threads(a.threads)
    ours = {}
    if a.ours:
        with open(a.ours) as f:
            for r in json.load(f).get("steps", []):
                ours[r["method"]] = r
    print(f"{'method':8} {'HF s/step':>10} {'HF tok/s':>10} {'ours tok/s':>11} {'ratio':>7}")
    for m in a.methods.split(","):
        r = run(m, a)
        o = ours.get(m)
        ot = o["tokens_per_second"] if o else float("nan")
        print(f"{m:8} {r['median_seconds']:10.3f} {r['tokens_per_second']:10.1f} {ot:11.1f} {ot / r['tokens_per_second']:7.3f}", flush=True)
        print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
