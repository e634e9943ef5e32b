#!/usr/bin/env bash
# Kernel checks with stock Jupyter (run by reproduce/test after `mvn package`):
#   1. installs the kernelspec into a temporary prefix and checks `jupyter kernelspec list` shows it;
#   2. runs Jupyter's kernel conformance suite (jupyter_kernel_test) via reproduce/kernel_conformance.py;
#   3. executes notebooks/sample.ipynb with `jupyter nbconvert --to notebook --execute` and checks it
#      produced a table (text/html) and a chart (image/png) and no error;
#   4. executes it with the headless runner (`memtune run --param points=8`) and validates the result
#      with nbformat's own schema.
# Needs Debian's Jupyter packages (installed here when running as root); fails loudly without them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY=/usr/bin/python3
PKGS="jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel python3-jupyter-kernel-test"
have_jupyter() { "$PY" -c 'import jupyter_kernel_test, nbclient, nbconvert, jupyter_client' 2>/dev/null; }

if ! have_jupyter; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "kernel.sh: installing Debian packages: $PKGS"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $PKGS >/dev/null
  fi
  if ! have_jupyter; then
    echo "kernel.sh: FAIL: Jupyter's Python packages are missing and could not be installed." >&2
    echo "kernel.sh: install them with: apt-get install -y $PKGS" >&2
    exit 1
  fi
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
export JUPYTER_PATH="$TMP/prefix/share/jupyter" JUPYTER_RUNTIME_DIR="$TMP/runtime" JUPYTER_DATA_DIR="$TMP/data"
export PYDEVD_DISABLE_FILE_VALIDATION=1

"$ROOT/reproduce/memtune" kernel install --prefix "$TMP/prefix"
# read the whole list first: with pipefail, `grep -q` closing the pipe early can fail the listing itself
SPECS="$("$PY" -Xfrozen_modules=off -m jupyter kernelspec list 2>/dev/null || true)"
if ! grep -q "memtune" <<<"$SPECS"; then
  echo "kernel.sh: FAIL: jupyter kernelspec list does not show the memtune kernel" >&2
  exit 1
fi

echo "== Jupyter kernel conformance suite"
(cd "$TMP" && "$PY" -Xfrozen_modules=off "$ROOT/reproduce/kernel_conformance.py")

echo "== jupyter nbconvert --execute notebooks/sample.ipynb"
"$PY" -Xfrozen_modules=off -m nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 \
  --output-dir "$TMP/out" "$ROOT/notebooks/sample.ipynb"
OUT="$TMP/out/sample.ipynb"
for mime in '"text/html"' '"image/png"'; do
  grep -q "$mime" "$OUT" || { echo "kernel.sh: FAIL: executed sample notebook has no $mime output" >&2; exit 1; }
done
if grep -q '"output_type": "error"' "$OUT"; then
  echo "kernel.sh: FAIL: executed sample notebook contains an error output" >&2; exit 1
fi
echo "== memtune run notebooks/sample.ipynb (headless runner) + nbformat validation"
"$ROOT/reproduce/memtune" run "$ROOT/notebooks/sample.ipynb" --out "$TMP/run" --param points=8
"$PY" -c 'import sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); print("nbformat: valid")' "$TMP/run/sample.ipynb"
grep -q 'sum of y = 210.0' "$TMP/run/sample.ipynb" || { echo "kernel.sh: FAIL: --param points=8 did not reach the notebook" >&2; exit 1; }
echo "kernel.sh: ok (kernelspec, conformance suite, nbconvert --execute and memtune run of the sample notebook)"
