#!/usr/bin/env bash
# Issue 19: a notebook's training grid through Spark, as `reproduce/run --master URL` sends it. One
# notebook cell, AccuracyTables.run over the sweep's test configs (tiny-bert full/LoRA/BitFit on RTE,
# seeds 42/43, smoke scale), is executed twice by the headless runner: in the kernel's JVM, and with
# --master local[1] (MEMTUNE_MASTER: every run a Spark task that starts a child JVM), each into its own
# results folder (MEMTUNE_OUT). Prints
#   sweep-notebook: runs=N identical=true|false progress=true|false
# identical: every result's losses, scores and metrics equal bit for bit between the two; progress: the
# executed notebook shows the sweep's live progress (a display updated in place: cells done/running/failed).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/sweep-rte.bash" sweep-notebook     # ROOT, MEMTUNE_DATA (or skip), SW
MT="$ROOT/reproduce/memtune"
"$MT" --help >/dev/null 2>&1 || true                                       # builds when stale
require_sweep_jar
TMP="$(mktemp -d "${TMPDIR:-/tmp}/memtune-sweep-notebook.XXXXXX")"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$TMP"' EXIT
python3 - "$TMP/grid.ipynb" <<'PY'
import json, sys
src = ('var runs = AccuracyTables.run("sweep", "tiny-bert", List.of("full", "lora", "bitfit"), "smoke");\n'
       'runs.results().size() + " runs, skipped: " + runs.skipped()')
nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "memtune", "display_name": "Java (memtune)", "language": "java"}},
      "cells": [{"cell_type": "code", "id": "grid", "metadata": {}, "execution_count": None, "outputs": [], "source": src}]}
json.dump(nb, open(sys.argv[1], "w"))
PY
cd "$ROOT"                                                                   # the configs' tokenizer path is relative to the root
MEMTUNE_OUT="$TMP/local" "$MT" run "$TMP/grid.ipynb" --out "$TMP/nb-local" > "$TMP/local.log" 2>&1 \
  || { echo "sweep-notebook: FAILED (in-process run; log follows)"; tail -20 "$TMP/local.log"; exit 1; }
MEMTUNE_MASTER="local[1]" MEMTUNE_OUT="$TMP/spark" "$MT" run "$TMP/grid.ipynb" --out "$TMP/nb-spark" > "$TMP/spark.log" 2>&1 \
  || { echo "sweep-notebook: FAILED (run through Spark; log follows)"; tail -20 "$TMP/spark.log"; exit 1; }
python3 - "$TMP" <<'PY'
import glob, json, os, sys
tmp = sys.argv[1]
local = sorted(glob.glob(tmp + "/local/results/**/seed*.json", recursive=True))
identical = len(local) == 3
for f in local:
    g = f.replace(tmp + "/local/", tmp + "/spark/")
    if not os.path.exists(g): identical = False; print("  missing through Spark:", g); continue
    a, b = json.load(open(f)), json.load(open(g))
    for k in ("losses", "history", "best_validation_score", "test_score", "test_metrics", "config"):
        if a.get(k) != b.get(k): identical = False; print("  differs:", os.path.relpath(f, tmp + "/local"), k)
nb = json.load(open(tmp + "/nb-spark/grid.ipynb"))
outs = nb["cells"][0]["outputs"]
text = json.dumps(outs)
progress = "memtune-progress" in text and "sweep" in text and "done 3" in text
result = [o for o in outs if o.get("output_type") == "execute_result"]
ok_text = result and "3 runs, skipped: {}" in "".join(result[0]["data"]["text/plain"])
print("sweep-notebook: runs=%d identical=%s progress=%s" % (len(local), "true" if identical and ok_text else "false", "true" if progress else "false"))
sys.exit(0 if identical and ok_text and progress else 1)
PY
