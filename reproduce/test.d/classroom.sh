#!/usr/bin/env bash
# Issue 23: after `memtune classroom`, a second local user — created for this test, with no set-up of
# their own — runs a lesson with no network:
#   1. `memtune classroom` into a temporary system prefix and shared cache (rte task samples included);
#   2. as the new user, inside a network namespace with no network (`unshare -n`, loopback only):
#      `PREFIX/bin/memtune run` of lesson 2 with solutions=true: exit 0, every check ✅;
#   3. the same user's Jupyter (nbclient, through the kernelspec in PREFIX) runs a notebook that reports
#      the kernel's user, heap limit and caches: heap capped by JupyterHub's MEM_LIMIT, models cache in
#      the user's home, the shared engine used (no per-user copy of PyTorch);
#   4. nothing was written into the shared cache; then the user and the files are removed.
# Needs root (creates a user account); when not root it says so and skips.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ "$(id -u)" != 0 ]; then echo "classroom.sh: SKIP: needs root (creates a user account and installs into a system prefix)"; exit 0; fi
for tool in useradd userdel runuser unshare ip; do
  command -v "$tool" >/dev/null || { echo "classroom.sh: SKIP: $tool is not installed"; exit 0; }
done
STUDENT="mtstudent$$"
BASE="$(mktemp -d /tmp/memtune-classroom.XXXXXX)"
chmod 755 "$BASE"
PREFIX="$BASE/prefix" SHARED="$BASE/shared"
cleanup() { userdel -r "$STUDENT" >/dev/null 2>&1 || true; rm -rf "$BASE"; }
trap cleanup EXIT
useradd -m -s /bin/sh "$STUDENT"
HOME_S="$(getent passwd "$STUDENT" | cut -d: -f6)"

MEMTUNE_DATA="${MEMTUNE_DATA:-$ROOT/data}" "$ROOT/reproduce/memtune" classroom --prefix "$PREFIX" --shared-cache "$SHARED" --memory 1g \
  $( [ -d "${MEMTUNE_DATA:-$ROOT/data}/rte" ] && echo --tasks rte )
before="$(find "$SHARED" -type f | wc -l) $(du -sk "$SHARED" | cut -f1)"

# as the student: a clean environment, no network
as_student() { unshare -n sh -c 'ip link set lo up && exec "$@"' sh runuser -u "$STUDENT" -- env -i HOME="$HOME_S" PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"; }
as_student sh -c "cp -r '$PREFIX/share/memtune/lessons' ~/lessons && '$PREFIX/bin/memtune' run ~/lessons/02-lora-from-scratch.ipynb --param solutions=true --out ~/out" \
  || { echo "classroom.sh: FAIL: the lesson did not run as $STUDENT" >&2; exit 1; }
verdicts() {  # the ✅ and ❌ verdict lines in a notebook's outputs
  python3 -c 'import json, sys; nb = json.load(open(sys.argv[1])); print("\n".join(l for c in nb["cells"] for o in c.get("outputs", []) for l in o.get("text", "").split("\n") if l[:1] in "✅❌" and l))' "$1"
}
ticks=$(verdicts "$HOME_S/out/02-lora-from-scratch.ipynb" | grep -c '^✅' || true)
crosses=$(verdicts "$HOME_S/out/02-lora-from-scratch.ipynb" | grep -c '^❌' || true)
[ "$ticks" -ge 3 ] && [ "$crosses" = 0 ] || { echo "classroom.sh: FAIL: expected 3 ✅ and no ❌ in $STUDENT's lesson, got $ticks / $crosses" >&2; exit 1; }

# through Jupyter and the kernelspec, as the student, under a JupyterHub-style MEM_LIMIT of 800 MB
PY=""
for p in /usr/bin/python3 "$ROOT/reproduce/out/nbgrader-venv/bin/python"; do
  [ -x "$p" ] && "$p" -c 'import nbclient, nbformat' 2>/dev/null && { PY="$p"; break; }
done
jupyter_line="Jupyter part skipped: no Python with nbclient (apt-get install python3-nbclient)"
if [ -n "$PY" ]; then
  cat > "$BASE/probe.py" <<'PYEOF'
import sys, nbformat, nbclient
nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "memtune", "display_name": "Java (memtune)", "language": "java"}})
nb.cells.append(nbformat.v4.new_code_cell(
    'System.getProperty("user.name") + " heap=" + (Runtime.getRuntime().maxMemory() >> 20) + "MiB models=" + dev.memtune.hub.ModelHub.cacheDir()'
    ' + " shared=" + dev.memtune.hub.ModelHub.sharedCacheDir() + " engine=" + ai.djl.util.Utils.getEngineCacheDir()'))
nbclient.NotebookClient(nb, timeout=300, kernel_name="memtune").execute()
print(nb.cells[0].outputs[0]["data"]["text/plain"])
PYEOF
  chmod 644 "$BASE/probe.py"
  probe=$(as_student env JUPYTER_PATH="$PREFIX/share/jupyter" MEM_LIMIT=800000000 "$PY" "$BASE/probe.py" 2>/dev/null | tail -1)
  echo "classroom.sh: kernel as $STUDENT: $probe"
  heap=$(sed -n 's/.*heap=\([0-9]*\)MiB.*/\1/p' <<<"$probe")
  case "$probe" in "$STUDENT heap="*"models=$HOME_S/.cache/memtune/models shared=$SHARED/models engine=$SHARED/engine"*) ;; 
    *) echo "classroom.sh: FAIL: unexpected kernel report: $probe" >&2; exit 1;; esac
  [ -n "$heap" ] && [ "$heap" -le 382 ] || { echo "classroom.sh: FAIL: heap ${heap}MiB exceeds half of MEM_LIMIT (381 MiB)" >&2; exit 1; }
  jupyter_line="Jupyter kernel from the system kernelspec as $STUDENT: heap ${heap} MiB under MEM_LIMIT=800MB"
fi
after="$(find "$SHARED" -type f | wc -l) $(du -sk "$SHARED" | cut -f1)"
[ "$before" = "$after" ] || { echo "classroom.sh: FAIL: the shared cache changed during class ($before -> $after files/KiB)" >&2; exit 1; }
[ ! -d "$HOME_S/.cache/memtune/djl/pytorch" ] || { echo "classroom.sh: FAIL: $STUDENT extracted their own PyTorch" >&2; exit 1; }
echo "classroom.sh: ok: $STUDENT (new account, no network) ran lesson 2 with $ticks ✅ through $PREFIX/bin/memtune; $jupyter_line; shared cache untouched"
