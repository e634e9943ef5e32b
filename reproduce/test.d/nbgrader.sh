#!/usr/bin/env bash
# Issue 23: a teacher can release and autograde a lesson with nbgrader (the Jupyter convention for
# assignments) on this kernel. Installs nbgrader from PyPI into a venv (kept in reproduce/out/ and
# reused; skips with a message if PyPI cannot be reached), installs the kernelspec into that venv,
# then on notebooks/lessons/02-lora-from-scratch.ipynb:
#   1. nbgrader generate_assignment: the released notebook has the solutions stripped (Java stub);
#   2. nbgrader autograde of three submissions: alice hands in the release untouched (0 points),
#      bob the reference answers (3 of 3), carol bob's answers with the LoRA scaling left out (2 of 3,
#      and her notebook shows the check's hint); the scores are read back with `nbgrader export`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LESSON=02-lora-from-scratch
VENV="${MEMTUNE_NBGRADER_VENV:-$ROOT/reproduce/out/nbgrader-venv}"
if [ ! -x "$VENV/bin/nbgrader" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  echo "nbgrader.sh: installing nbgrader from PyPI into $VENV (once) ..."
  if ! timeout 900 "$VENV/bin/pip" install -q --disable-pip-version-check nbgrader >"$VENV.log" 2>&1; then
    echo "nbgrader.sh: SKIP: could not install nbgrader from PyPI (offline? see $VENV.log)"
    rm -rf "$VENV"
    exit 0
  fi
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
export PYTHONWARNINGS=ignore   # nbgrader 0.9 + SQLAlchemy 2 print pages of SAWarnings
export JUPYTER_DATA_DIR="$TMP/data" JUPYTER_RUNTIME_DIR="$TMP/runtime" JUPYTER_CONFIG_DIR="$TMP/config" PYDEVD_DISABLE_FILE_VALIDATION=1
"$ROOT/reproduce/memtune" kernel install --prefix "$VENV" --java-opts "-Xmx2g" >/dev/null

C="$TMP/course"
mkdir -p "$C/source/lessons"
cp "$ROOT/notebooks/lessons/$LESSON.ipynb" "$C/source/lessons/"
cat > "$C/nbgrader_config.py" <<CFG
c = get_config()
c.CourseDirectory.root = r"$C"
c.CourseDirectory.course_id = "memtune"
c.ClearSolutions.code_stub = {"java": "// YOUR CODE HERE"}
c.Execute.timeout = 300
CFG
cd "$C"
export PATH="$VENV/bin:$PATH"                    # nbgrader runs alembic (its database migrations) from PATH
NB() { "$VENV/bin/nbgrader" "$@" --log-level=WARN; }

NB generate_assignment lessons --force
REL="$C/release/lessons/$LESSON.ipynb"
if grep -q "BEGIN SOLUTION\|if (solutions)" "$REL" || ! grep -q "YOUR CODE HERE" "$REL"; then
  echo "nbgrader.sh: FAIL: the released notebook still holds solutions or lacks the stub" >&2; exit 1
fi

# three submissions made from the release
"$VENV/bin/python" - "$REL" "$C/source/lessons/$LESSON.ipynb" "$C/submitted" <<'PY'
import copy, os, re, sys, nbformat
rel, src, out = sys.argv[1:]
release, source = nbformat.read(rel, 4), nbformat.read(src, 4)
answers = {}
for c in source.cells:                                   # the reference answer, as a student would write it
    g = c.metadata.get("nbgrader", {})
    if g.get("solution"):
        lines = [l for l in c.source.split("\n") if "SOLUTION" not in l and "Exercise.notDone()" not in l]
        answers[g["grade_id"]] = re.sub(r"if \(solutions\) ", "", "\n".join(lines))
def submit(student, edit):
    nb = copy.deepcopy(release)
    for c in nb.cells:
        g = c.metadata.get("nbgrader", {})
        if g.get("solution"): c.source = edit(g["grade_id"], c.source)
    os.makedirs(f"{out}/{student}/lessons", exist_ok=True)
    nbformat.write(nb, f"{out}/{student}/lessons/{os.path.basename(rel)}")
submit("alice", lambda gid, s: s)
submit("bob", lambda gid, s: answers[gid])
submit("carol", lambda gid, s: answers[gid].replace(".mul(alpha / r)", "") if gid == "ex-2-1" else answers[gid])
PY

NB autograde lessons --create --force
NB export --to "$TMP/grades.csv" >/dev/null
"$VENV/bin/python" - "$TMP/grades.csv" "$C/autograded/carol/lessons/$LESSON.ipynb" <<'PY'
import csv, sys, nbformat
want = {"alice": 0.0, "bob": 3.0, "carol": 2.0}
got = {r["student_id"]: (float(r["score"]), float(r["max_score"])) for r in csv.DictReader(open(sys.argv[1]))}
text = "\n".join(o.get("text", "") for c in nbformat.read(sys.argv[2], 4).cells if c.cell_type == "code" for o in c.outputs)
hint = [l for l in text.split("\n") if l.startswith("❌ 2.1")]
print("nbgrader.sh: autograde scores:", ", ".join(f"{s} {got[s][0]:g}/{got[s][1]:g}" for s in sorted(got)))
print("nbgrader.sh: carol's feedback:", hint[0] if hint else "(none)")
bad = [s for s in want if s not in got or got[s] != (want[s], 3.0)]
if bad or not hint or "alpha / r" not in hint[0]:
    sys.exit(f"nbgrader.sh: FAIL: expected alice 0/3, bob 3/3, carol 2/3 with the scaling hint; got {got}")
PY
echo "nbgrader.sh: ok (generate_assignment strips the solutions; autograde on the memtune kernel scores 0/3, 3/3, 2/3 as expected)"
