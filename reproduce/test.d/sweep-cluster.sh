#!/usr/bin/env bash
# Issue 19: the sweep on a real Spark standalone cluster on loopback. Starts a Master and 2 Workers
# (1 core each, 127.0.0.1) from the Spark jars of sweep/target/lib, runs reproduce/grids/sweep-test.json
# (6 tiny-bert cells on RTE at smoke scale), kills one worker while it runs a cell, lets the sweep
# finish, runs the same grid with --master local[1], stops everything it started, and prints
#   sweep-cluster: cells=N workers=W retried=R identical=true|false
# W: distinct executors that ran cell attempts (one per worker: a worker has 1 core, an executor takes
# them all); R: cells that took more than one attempt; identical: every result's losses, per-epoch
# scores and test metrics equal bit for bit to the local run's. A second line measures the
# scheduling overhead per cell against running the same cell directly with memtune train.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/sweep-rte.bash" sweep-cluster      # ROOT, MEMTUNE_DATA (or skip), SW
if ! ls "$SW"/memtune-sweep-*.jar >/dev/null 2>&1; then "$ROOT/reproduce/memtune" --help >/dev/null || true; fi   # builds when stale
require_sweep_jar

TMP="$(mktemp -d "${TMPDIR:-/tmp}/memtune-sweep-cluster.XXXXXX")"
GRID="$ROOT/reproduce/grids/sweep-test.json"
PIDS=()                                   # every process this script started (Master, Workers), stopped at exit
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  # executors and cell JVMs the workers launched carry $TMP in their command line: none may outlive the test
  for p in $(pgrep -f "$TMP" || true); do [ "$p" != "$$" ] && kill -9 "$p" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT

# Spark's standalone worker builds its executors' classpath from $SPARK_HOME/jars
mkdir -p "$TMP/spark"; ln -s "$SW/lib" "$TMP/spark/jars"
export SPARK_HOME="$TMP/spark" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_DIRS="$TMP/local"
OPENS="-XX:+IgnoreUnrecognizedVMOptions -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true"
for p in java.lang java.lang.invoke java.lang.reflect java.io java.net java.nio java.util java.util.concurrent \
         java.util.concurrent.atomic jdk.internal.ref sun.nio.ch sun.nio.cs sun.security.action sun.util.calendar; do
  OPENS="$OPENS --add-opens=java.base/$p=ALL-UNNAMED"
done
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
MPORT="$(free_port)"; MUI="$(free_port)"
MASTER="spark://127.0.0.1:$MPORT"
t0=$(date +%s)
"$JAVA" -Xmx512m $OPENS -cp "$SW/lib/*" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$MPORT" --webui-port "$MUI" \
  >"$TMP/master.log" 2>&1 &
PIDS+=($!)
WORKER=()
for i in 1 2; do
  mkdir -p "$TMP/worker$i"
  "$JAVA" -Xmx512m $OPENS -cp "$SW/lib/*" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 --memory 2g \
    --work-dir "$TMP/worker$i" --webui-port 0 "$MASTER" >"$TMP/worker$i.log" 2>&1 &
  PIDS+=($!); WORKER+=($!)
done
alive_workers() {
  python3 - "$MUI" <<'EOF' 2>/dev/null || echo 0
import json, sys, urllib.request
print(json.load(urllib.request.urlopen("http://127.0.0.1:%s/json/" % sys.argv[1], timeout=2)).get("aliveworkers", 0))
EOF
}
for _ in $(seq 120); do [ "$(alive_workers)" = 2 ] && break; sleep 0.5; done
[ "$(alive_workers)" = 2 ] || { echo "sweep-cluster: FAILED (2 workers did not register with $MASTER in 60 s; logs in $TMP)"; KEEP=1; exit 1; }
echo "cluster: master $MASTER, 2 workers up in $(( $(date +%s) - t0 )) s" >&2

# the sweep on the cluster, in the background, while this script kills worker 1 once it runs a cell
export MEMTUNE_NO_BUILD=1 MEMTUNE_JAVA_OPTS="-Xmx1g"
"$ROOT/reproduce/memtune" sweep --grid "$GRID" --master "$MASTER" --out "$TMP/cluster" \
  --conf spark.driver.host=127.0.0.1 --conf spark.executor.memory=1g >"$TMP/cluster.out" 2>"$TMP/cluster.err" &
SWEEP=$!; PIDS+=($SWEEP)
ancestor_is() {  # ancestor_is PID ANCESTOR
  local p="$1"
  while [ -n "$p" ] && [ "$p" -gt 1 ]; do
    [ "$p" = "$2" ] && return 0
    p="$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null || true)"
  done
  return 1
}
killed=""
tree() { local p; for p in $(pgrep -P "$1" || true); do tree "$p"; done; echo "$1"; }
for _ in $(seq 1500); do
  kill -0 "$SWEEP" 2>/dev/null || break
  for c in $(pgrep -f "dev.memtune.app.Main train .*$TMP/cluster" || true); do
    if ancestor_is "$c" "${WORKER[0]}"; then
      # worker 1 runs a cell: once the cell has written a checkpoint (save_steps 2), worker 1 is lost the way a
      # machine is lost: the worker, its executor and the cell's JVM all killed at once (SIGKILL, no cleanup)
      args="$(tr '\0' ' ' <"/proc/$c/cmdline" 2>/dev/null || true)"
      cfg="$(sed -E 's/.*--config [^ ]*reproduce\/configs\/([^ ]*)\.json .*/\1/' <<<"$args")"
      seed="$(sed -E 's/.* --seed ([0-9]+) .*/\1/' <<<"$args")"
      for _ in $(seq 1200); do
        [ -f "$TMP/cluster/checkpoints/$cfg/rte/seed$seed/checkpoint.safetensors" ] && break
        kill -0 "$c" 2>/dev/null || break
        sleep 0.05
      done
      victims="$(tree "${WORKER[0]}" | tr '\n' ' ')"
      kill -9 $victims 2>/dev/null || true; killed="$c"
      echo "cluster: lost worker 1: killed pids $victims(worker, executor, cell $cfg seed $seed)" >&2
      break 2
    fi
  done
  sleep 0.1
done
rc=0; wait "$SWEEP" || rc=$?
[ -n "$killed" ] || echo "cluster: worker 1 never ran a cell; nothing killed" >&2
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done               # stop the cluster before the local run
for _ in $(seq 40); do left="$(pgrep -f "$TMP/(worker|spark|cluster)" || true)"; [ -z "$left" ] && break; sleep 0.5; done
if [ -n "${left:-}" ]; then echo "cluster: processes left after stopping the cluster: $left" >&2; fi
if [ "$rc" != 0 ]; then
  echo "sweep-cluster: FAILED (cluster sweep exit $rc)"; tail -5 "$TMP/cluster.err"; cat "$TMP/cluster.out"; KEEP=1; exit 1
fi

# the same grid locally, one cell at a time with one thread each (the cluster's spark.task.cpus=1)
"$ROOT/reproduce/memtune" sweep --grid "$GRID" --master 'local[1]' --threads 1 --out "$TMP/local" >"$TMP/local.out" 2>"$TMP/local.err" \
  || { echo "sweep-cluster: FAILED (local sweep)"; tail -5 "$TMP/local.err"; KEEP=1; exit 1; }

# the first cell directly, for the scheduling overhead (one thread, as in the sweeps)
d0=$(date +%s.%N)
OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 MEMTUNE_JAVA_OPTS="-Xmx1g -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1" \
  "$ROOT/reproduce/memtune" train --config "$ROOT/reproduce/configs/sweep/tiny-bert/full.json" --task rte --seed 42 --scale smoke \
  --out "$TMP/direct" --resume >/dev/null 2>"$TMP/direct.err"
d1=$(date +%s.%N)

python3 - "$TMP" "$d0" "$d1" "${#WORKER[@]}" <<'EOF'
import json, sys, glob, os
tmp, d0, d1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
cl = json.load(open(os.path.join(tmp, "cluster/sweep/sweep-test.json")))
lo = json.load(open(os.path.join(tmp, "local/sweep/sweep-test.json")))
def numbers(path):
    # the trained numbers, each float as its exact bits (float.hex): losses, per-epoch losses/scores, test metrics
    r = json.load(open(path))
    h = lambda v: float(v).hex() if isinstance(v, (int, float)) and not isinstance(v, bool) else v
    ep = [{k: (json.dumps({m: h(x) for m, x in v.items()}) if isinstance(v, dict) else h(v))
           for k, v in e.items() if k != "seconds"} for e in r["epochs"]]
    return ([h(x) for x in r["losses"]], ep, {k: h(v) for k, v in (r["test"] or {}).items()},
            {k: h(v) for k, v in (r["best_validation"] or {}).items()}, h(r["test_score"]), h(r["best_validation_score"]))
identical, n = True, 0
for row in lo["rows"]:
    rel = os.path.relpath(row["result"], os.path.join(tmp, "local"))
    other = os.path.join(tmp, "cluster", rel)
    n += 1
    if not os.path.exists(other) or numbers(row["result"]) != numbers(other):
        identical = False
        print("differs: " + rel, file=sys.stderr)
resumed = [f for f in glob.glob(os.path.join(tmp, "cluster/sweep-logs/**/*.attempt[1-9].log"), recursive=True)
           if "resuming from" in open(f).read()]
for f in resumed: print("resumed: " + next(l for l in open(f) if "resuming from" in l).strip(), file=sys.stderr)
resumed = len(resumed)
print("cluster: %d cells done, %d failed, %d retried (%d resumed from a checkpoint), executors %s, workers that finished cells %d; wall %.0f s; local[1] wall %.0f s"
      % (cl["done"], cl["failed"], cl["retried"], resumed, cl["executor_ids"], cl["workers"], cl["wall_seconds"], lo["wall_seconds"]), file=sys.stderr)
direct = d1 - d0
cell0 = next(r for r in lo["rows"] if r["cell"] == 0)
task = sum(r["seconds"] - r["child_seconds"] for r in lo["rows"]) / len(lo["rows"])
print("sweep-overhead: cell 0 direct (memtune train) %.1f s, in the local[1] sweep %.1f s (its child JVM %.1f s): %+.1f s; "
      "per cell Spark task minus child JVM %.2f s, sweep wall minus child JVMs %.2f s; Spark start %.1f s once per sweep"
      % (direct, cell0["seconds"], cell0["child_seconds"], cell0["seconds"] - direct, task, lo["overhead_seconds_per_cell"], lo["spark_start_seconds"]))
print("sweep-cluster: cells=%d workers=%d retried=%d identical=%s"
      % (cl["cells"], len(cl.get("executor_ids", [])), cl["retried"], "true" if identical and n == cl["cells"] else "false"))
EOF
