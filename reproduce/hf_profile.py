#!/usr/bin/env python3
"""Cross-check of `memtune profile` with Hugging Face transformers + PEFT on PyTorch (not run by CI).

Measures the same way as the Java profiler: each (method) in a fresh process with glibc told to
return freed blocks (MALLOC_MMAP_THRESHOLD_=65536), resident baseline before the model is built,
one warm-up step (AdamW state and gradients then exist; with --set-to-none the gradients are then
dropped, as each step drops them), VmHWM reset through /proc/self/clear_refs,
then the peak over the measured steps. Activations = peak - resident before the measured steps.
On a GPU it reports torch.cuda.max_memory_allocated instead.

    pip install torch transformers peft
    python reproduce/hf_profile.py --batch 8 --seq 128 --methods full,lora,bitfit [--ours ours.json ...]

BERT-base is built from its config with random weights (memory does not depend on weight values;
nothing is downloaded). Prints one JSON object per method and, given `memtune profile --out` files,
ours beside theirs with the ratio.
"""
import argparse, json, os, subprocess, sys, time

MALLOC = {"MALLOC_MMAP_THRESHOLD_": "65536", "MALLOC_TRIM_THRESHOLD_": "131072", "MALLOC_ARENA_MAX": "2"}


def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def child(a):
    import torch
    from transformers import BertConfig, BertForSequenceClassification
    torch.manual_seed(0)
    if a.threads:
        torch.set_num_threads(a.threads)
    cuda = a.device == "cuda"
    dev = torch.device(a.device)
    torch.zeros(1, device=dev)
    baseline = status("VmRSS")
    cfg = BertConfig(vocab_size=30522, hidden_size=768, num_hidden_layers=a.layers, num_attention_heads=12,
                     intermediate_size=3072, max_position_embeddings=512, num_labels=2)
    model = BertForSequenceClassification(cfg)
    if a.method == "lora":
        from peft import LoraConfig, get_peft_model
        model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.1, target_modules=["query", "value"],
                                                 task_type="SEQ_CLS"))
    elif a.method == "bitfit":
        for n, p in model.named_parameters():
            p.requires_grad = n.endswith(".bias") or n.startswith("classifier")
    model.to(dev).train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
    g = torch.Generator().manual_seed(42)
    ids = torch.randint(1, 30522, (a.batch, a.seq), generator=g).to(dev)
    labels = torch.randint(0, 2, (a.batch,), generator=g).to(dev)

    def step():
        opt.zero_grad(set_to_none=a.set_to_none)
        out = model(input_ids=ids, attention_mask=torch.ones_like(ids), token_type_ids=torch.zeros_like(ids), labels=labels)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return out.loss.item()

    step()
    if a.set_to_none:                       # gradients live from the backward to the update only: not static
        opt.zero_grad(set_to_none=True)
    if cuda:
        torch.cuda.synchronize()
        static = torch.cuda.memory_allocated()
        torch.cuda.reset_peak_memory_stats()
    static_rss = status("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    times = []
    for _ in range(a.steps - 1):
        t0 = time.perf_counter()
        loss = step()
        if cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    peak = status("VmHWM")
    res = {"stack": "hf", "method": a.method, "batch": a.batch, "seq": a.seq, "layers": a.layers, "baseline_rss": baseline,
           "static_rss": static_rss, "peak": max(peak, static_rss), "activations": max(peak, static_rss) - static_rss,
           "trainable": sum(p.numel() for p in params), "params": sum(p.numel() for p in model.parameters()),
           "step_seconds": sorted(times)[len(times) // 2], "loss": loss, "torch": torch.__version__, "threads": torch.get_num_threads()}
    if cuda:
        res.update(cuda_peak=torch.cuda.max_memory_allocated(), cuda_static=static,
                   cuda_activations=torch.cuda.max_memory_allocated() - static)
    print("HF_PROFILE " + json.dumps(res), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--methods", default="full,lora,bitfit")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--set-to-none", action="store_true",
                    help="zero_grad(set_to_none=True) (PyTorch 2's and HF Trainer's default; memtune profile --set-to-none); "
                         "default: set_to_none=False (gradients zeroed in place, static memory), as memtune profile's default")
    ap.add_argument("--ours", nargs="*", default=[], help="JSON files written by memtune profile --out")
    ap.add_argument("--method", help=argparse.SUPPRESS)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.steps < 2:
        ap.error("--steps must be >= 2 (one warm-up, then measured)")
    if a.child:
        return child(a)
    ours = {}
    for fn in a.ours:
        with open(fn) as f:
            d = json.load(f)
        for r in d if isinstance(d, list) else [d]:
            ours[r["method"]] = r
    env = dict(os.environ, **MALLOC)
    print(f"{'method':8} {'HF peak GB':>11} {'HF act GB':>10} {'ours peak':>10} {'ours act':>9} {'peak ratio':>11}")
    for m in a.methods.split(","):
        cmd = [sys.executable, __file__, "--child", "--method", m, "--batch", str(a.batch), "--seq", str(a.seq),
               "--layers", str(a.layers), "--steps", str(a.steps), "--threads", str(a.threads), "--device", a.device] \
              + (["--set-to-none"] if a.set_to_none else [])
        p = subprocess.run(cmd, env=env, capture_output=True, text=True)
        line = next((l for l in p.stdout.splitlines() if l.startswith("HF_PROFILE ")), None)
        if line is None:
            print(f"{m:8} failed (exit {p.returncode}): {p.stderr.strip().splitlines()[-1:] }")
            continue
        r = json.loads(line[len("HF_PROFILE "):])
        print(json.dumps(r), file=sys.stderr)
        o = ours.get(m)
        if o and o.get("set_to_none", False) != a.set_to_none:
            print(f"{m:8} ours was measured with set_to_none={o.get('set_to_none', False)}, HF with {a.set_to_none}: "
                  f"rerun one of them (memtune profile --set-to-none / hf_profile.py --set-to-none)")
            continue
        if o and o.get("status") == "ok":
            print(f"{m:8} {r['peak'] / 1e9:11.3f} {r['activations'] / 1e9:10.3f} {o['peak'] / 1e9:10.3f} {o['activations'] / 1e9:9.3f} "
                  f"{o['peak'] / r['peak']:11.3f}")
        else:
            print(f"{m:8} {r['peak'] / 1e9:11.3f} {r['activations'] / 1e9:10.3f} {'n/a':>10} {'n/a':>9} {'n/a':>11}")


if __name__ == "__main__":
    main()
