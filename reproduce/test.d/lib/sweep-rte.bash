# Sourced by the test.d scripts that run the sweep on RTE (sweep-cluster.sh, sweep-notebook.sh); $1: the
# script's name for its messages. Sets ROOT, MEMTUNE_DATA and SW (sweep/target); exits the caller with 0
# ("skipped") when RTE is not in the data folder. require_sweep_jar: fails the caller when the sweep
# module's jar is missing (call it after the caller's own build step).
NAME="$1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
DATA="${MEMTUNE_DATA:-$ROOT/data}"
if [ ! -d "$DATA/rte" ]; then
  echo "$NAME: skipped (needs RTE in \$MEMTUNE_DATA=$DATA; see data/README)"; exit 0
fi
export MEMTUNE_DATA="$DATA"
SW="$ROOT/sweep/target"
require_sweep_jar() {
  ls "$SW"/memtune-sweep-*.jar >/dev/null 2>&1 || { echo "$NAME: FAILED (sweep module not built: mvn -DskipTests package)"; exit 1; }
}
