#!/usr/bin/env python3
"""Rebuilds data/samples/ from a staged data folder: the first ROWS data rows of every staged split.

    python3 data/samples/make_samples.py /work/shared/data

Line-based files (GLUE TSV, JSON Lines, PIQA labels) keep their bytes: the header line (where the
format has one) and the first ROWS data lines, unchanged. SciQ's JSON array is re-serialised with
its first ROWS items (same keys and values, indent 2). Files the task registry does not read
(mrpc/dev_ids.tsv, mrpc-tokenized/, the OpenBookQA TSVs) are left out.
"""
import json, sys
from pathlib import Path

ROWS = 40
SRC = Path(sys.argv[1])
OUT = Path(__file__).resolve().parent
# (file, header lines) per task, as the toolkit's registry (dev.memtune.data.Tasks) names them
FILES = {
    "rte": [("train.tsv", 1), ("dev.tsv", 1)],
    "mrpc": [("train.tsv", 1), ("dev.tsv", 1)],
    "cola": [("train.tsv", 0), ("dev.tsv", 0)],
    "stsb": [("train.tsv", 1), ("dev.tsv", 1)],
    "sst2": [("train.tsv", 1), ("dev.tsv", 1)],
    "qnli": [("dev.tsv", 1)],
    "wnli": [("train.tsv", 1), ("dev.tsv", 1)],
    "openbookqa": [("train.jsonl", 0), ("dev.jsonl", 0), ("test.jsonl", 0)],
    "arc-easy": [("train.jsonl", 0), ("dev.jsonl", 0), ("test.jsonl", 0)],
    "arc-challenge": [("train.jsonl", 0), ("dev.jsonl", 0), ("test.jsonl", 0)],
    "piqa": [("valid.jsonl", 0), ("valid-labels.lst", 0)],
    "sciq": [("valid.json", None), ("test.json", None)],
    "boolq": [("val.jsonl", 0)],
    "copa": [("train.jsonl", 0), ("val.jsonl", 0)],
}

for task, files in FILES.items():
    (OUT / task).mkdir(exist_ok=True)
    for name, header in files:
        src, dst = SRC / task / name, OUT / task / name
        if header is None:
            items = json.loads(src.read_text(encoding="utf-8"))[:ROWS]
            dst.write_text(json.dumps(items, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        else:
            with open(src, "rb") as f:
                lines = f.read().split(b"\n")
            dst.write_bytes(b"\n".join(lines[: header + ROWS]) + b"\n")
        print(f"{task}/{name}")
