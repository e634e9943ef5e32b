#!/usr/bin/env bash
# Issue 23: every lesson in notebooks/lessons/ runs both ways, so lessons never rot:
#   --param solutions=true  exit 0, and every check cell prints a verdict starting with ✅;
#   without it              exit 0, every check cell prints ❌ with a hint, and no cell has an error
#                           (or stderr) output: a student's unfilled exercise is not an error.
# Prints the CPU time (user + sys, child JVMs included) of each lesson run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
shopt -s nullglob
LESSONS=("$ROOT"/notebooks/lessons/*.ipynb)
[ "${#LESSONS[@]}" -ge 3 ] || { echo "lessons.sh: FAIL: expected at least 3 lessons in notebooks/lessons/, found ${#LESSONS[@]}" >&2; exit 1; }
TIMEFORMAT='%U %S'
summary=()
for nb in "${LESSONS[@]}"; do
  name="$(basename "$nb" .ipynb)"
  for mode in solutions student; do
    args=(); [ "$mode" = solutions ] && args=(--param solutions=true)
    { t=$( { time "$ROOT/reproduce/memtune" run "$nb" --out "$TMP/$mode" "${args[@]}" >"$TMP/$name.$mode.log" 2>&1; } 2>&1 ); } \
      || { cat "$TMP/$name.$mode.log" >&2; echo "lessons.sh: FAIL: $name ($mode) exited non-zero" >&2; exit 1; }
    cpu=$(awk '{printf "%.0f", $1 + $2}' <<<"$t")
    python3 - "$TMP/$mode/$name.ipynb" "$mode" <<'PY' || exit 1
import json, sys
path, mode = sys.argv[1:]
nb = json.load(open(path))
checks = [c for c in nb["cells"] if "check" in c.get("metadata", {}).get("tags", [])]
problems = []
if not checks: problems.append("no cell tagged 'check'")
for c in nb["cells"]:
    for o in c.get("outputs", []):
        if o["output_type"] == "error": problems.append(f"error output: {o['ename']}: {o['evalue']}")
        if o["output_type"] == "stream" and o["name"] == "stderr": problems.append("stderr output: " + o["text"][:200])
for i, c in enumerate(checks):
    text = "".join(o.get("text", "") for o in c["outputs"] if o["output_type"] == "stream")
    lines = [l for l in text.split("\n") if l.startswith(("✅", "❌"))]
    want = "✅" if mode == "solutions" else "❌"
    if len(lines) != 1 or not lines[0].startswith(want): problems.append(f"check {i + 1}: expected one {want} line, got {lines}")
    elif want == "❌" and len(lines[0].split(": ", 1)) < 2: problems.append(f"check {i + 1}: no hint in {lines[0]!r}")
if problems:
    sys.exit(f"lessons.sh: FAIL: {path} ({mode}):\n  " + "\n  ".join(problems))
print(f"lessons.sh: {path.rsplit('/', 1)[-1]} ({mode}): {len(checks)} checks, all {'✅' if mode == 'solutions' else '❌ with a hint'}, no error output")
PY
    summary+=("$name $mode ${cpu}s")
  done
done
echo "lessons.sh: ok: ${#LESSONS[@]} lessons, both ways; CPU time (user+sys): ${summary[*]}"
