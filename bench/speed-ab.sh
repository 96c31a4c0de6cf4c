#!/usr/bin/env bash
# Old/new comparison of the training step: SpeedBench JVMs of two builds of model/ alternated in one script (what
# counts on a loaded machine: ratios measured side by side, and the CPU seconds per step beside the wall figures).
# usage: bench/speed-ab.sh OLD_REF REPS SpeedBench-args...   e.g.  bench/speed-ab.sh 111ccf8 3 128 4 4 64 12 40 5 1
# OLD_REF's model classes are built in a temporary git worktree; "new" is this checkout. Run it through the lock.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
old_ref=$1; reps=$2; shift 2
source "$ROOT/bench/lib/jvm-and-torch.sh"
CP="$(mktemp)"; WT="$(mktemp -d)"
trap 'rm -f "$CP"; git -C "$ROOT" worktree remove --force "$WT" >/dev/null 2>&1 || true' EXIT
build_model_classpath "$CP"
git -C "$ROOT" worktree add -q --detach "$WT" "$old_ref"
(cd "$WT" && mvn -o -q -B compile -pl model -am >&2)
echo "old $old_ref, new $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo '+changes'); $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg); SpeedBench $*"
for r in $(seq 1 "$reps"); do
  for side in old new; do
    dir="$ROOT/model/target/classes"; [[ $side == old ]] && dir="$WT/model/target/classes"
    out=$(java -Xmx2g --add-modules jdk.incubator.vector -cp "$dir:$(cat "$CP")" io.sparkgpt.model.bench.SpeedBench "$@" 2>/dev/null)
    echo "rep $r $side: $(grep -o '[0-9.]* s/step, [0-9]* tokens/s' <<<"$out"); $(grep '^cpu' <<<"$out"); load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
