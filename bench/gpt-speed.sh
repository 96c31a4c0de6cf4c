#!/usr/bin/env bash
# Training speed of our GPT (model/: hand-written forward/backward on OpenBLAS) against PyTorch on the same model,
# batch and steps, at two sizes, EACH SIDE AT ITS BEST SETTING (issue 14):
#   A: nanoGPT's CPU recipe   C=128 L=4 H=4 T=64  B=12
#   B: the larger model       C=256 L=6 H=8 T=256 B=8
# Ours runs at 1 thread, at THREADS worker threads (the batch split, one-thread OpenBLAS each) and at 1 worker over
# a THREADS-thread OpenBLAS; PyTorch at 1 thread, at THREADS OpenMP threads over the pthread OpenBLAS at THREADS
# (what the old script did: the two pools fight) and at 1, and over Debian's OpenMP OpenBLAS (unpacked into
# bench/.cache, loaded with LD_LIBRARY_PATH for the torch process only). Each run prints the BLAS it mapped.
# Prints every run, the best of each side per size, the ratio best/best, and as the LAST line
#   ratio=<min over the sizes of (our best tokens/s) / (PyTorch's best tokens/s)>
# Installs Debian's python3-torch + libopenblas0-pthread with apt if missing (not for CI).
# Env: THREADS (2), STEPS_A (30), STEPS_B (6), WARMUP (2), REPS (2: alternating runs, best kept), SIZES ("A B").
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
THREADS="${THREADS:-2}"; STEPS_A="${STEPS_A:-30}"; STEPS_B="${STEPS_B:-6}"; WARMUP="${WARMUP:-2}"; REPS="${REPS:-2}"
SIZES="${SIZES:-A B}"
source "$ROOT/bench/lib/jvm-and-torch.sh"
ensure_torch
cd "$ROOT"
CP="$(mktemp)"
trap 'rm -f "$CP"' EXIT
build_model_classpath "$CP"
# the Vector API module: the element-wise kernels (model/.../VectorKernels) run on it, scalar Java without it
JAVA=(java -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=4g --add-modules jdk.incubator.vector -cp "model/target/classes:$(cat "$CP")" io.sparkgpt.model.bench.SpeedBench)
mapfile -t OURS < <(our_settings "$THREADS")
mapfile -t PEERS < <(torch_settings "$THREADS")
echo "machine: $(nproc --all) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(date -u +%FT%TZ)"
ratios=()
tps_of() { sed -n 's/^tokens_per_s=//p' <<<"$1"; }
run_size() { # name C L H T B steps
  local name=$1; shift
  declare -A best=()
  local r s label a b envs th line
  for r in $(seq 1 "$REPS"); do
    for s in "${OURS[@]}"; do
      IFS='|' read -r label a b <<<"$s"
      line=$("${JAVA[@]}" "$1" "$2" "$3" "$4" "$5" "$6" "$WARMUP" "$a" "$b" 2>/dev/null | grep -v '^SLF4J')
      [[ $r == 1 ]] && echo "$name $label $(grep '^blas:' <<<"$line"); $(grep '^kernels:' <<<"$line")"
      echo "$name $label rep $r: $(grep '^ours' <<<"$line"); $(grep '^cpu' <<<"$line")"
      best[$label]=$(echo "$(tps_of "$line") ${best[$label]:-0}" | awk '{print ($1>$2)?$1:$2}')
    done
    for s in "${PEERS[@]}"; do
      IFS='|' read -r label envs th <<<"$s"
      line=$(env $envs $PY bench/gpt_speed_torch.py "$1" "$2" "$3" "$4" "$5" "$6" "$WARMUP" "$th")
      [[ $r == 1 ]] && echo "$name $label $(grep '^blas:' <<<"$line")"
      echo "$name $label rep $r: $(grep '^pytorch' <<<"$line")"
      best[$label]=$(echo "$(tps_of "$line") ${best[$label]:-0}" | awk '{print ($1>$2)?$1:$2}')
    done
  done
  local bo=0 bol="" bp=0 bpl="" k
  for k in "${!best[@]}"; do
    if [[ $k == ours* ]]; then
      if awk "BEGIN{exit !(${best[$k]} > $bo)}"; then bo=${best[$k]}; bol=$k; fi
    else
      if awk "BEGIN{exit !(${best[$k]} > $bp)}"; then bp=${best[$k]}; bpl=$k; fi
    fi
  done
  for k in $(printf '%s\n' "${!best[@]}" | sort); do echo "$name best of $k: ${best[$k]} tokens/s"; done
  local ratio; ratio=$(echo "$bo $bp" | awk '{printf "%.3f", $1/$2}')
  echo "$name: ours best ${bo} tokens/s ($bol), pytorch best ${bp} tokens/s ($bpl), ratio ${ratio}"
  ratios+=("$ratio")
}
[[ " $SIZES " == *" A "* ]] && run_size A 128 4 4 64 12 "$STEPS_A"
[[ " $SIZES " == *" B "* ]] && run_size B 256 6 8 256 8 "$STEPS_B"
echo "load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s\n' "${ratios[@]}" | sort -g | head -1 | sed 's/^/ratio=/'
