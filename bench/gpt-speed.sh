#!/usr/bin/env bash
# Training speed of our GPT (model/: hand-written forward/backward on OpenBLAS) against PyTorch on the same model,
# batch and steps, at two sizes, EACH SIDE AT ITS BEST SETTING (issue 14):
#   A: nanoGPT's CPU recipe   C=128 L=4 H=4 T=64  B=12
#   B: the larger model       C=256 L=6 H=8 T=256 B=8
# Settings. Ours: 1 thread, THREADS worker threads (the batch split, one-thread OpenBLAS each), 1 worker over a
# THREADS-thread OpenBLAS. PyTorch: 1 thread, THREADS OpenMP threads over the pthread OpenBLAS at THREADS (the pools
# fight) and at 1, over Debian's OpenMP OpenBLAS (unpacked into bench/.cache, LD_LIBRARY_PATH of the torch process
# only), and on AVX-512 CPUs that with ATen's AVX-512 kernels. On AVX-512 CPUs every setting of BOTH sides also runs
# with OpenBLAS's AVX-512 kernels forced (OPENBLAS_CORETYPE=SkylakeX: see blas_core_envs in bench/lib).
# Each run prints the BLAS it mapped.
#
# How it measures (a skeptic's benchmark: same rules for both sides, nothing kept because it was lucky):
#  - every run (one JVM or one python process) warms up untimed for at least WARMUP steps AND 3 s (the JIT needs it;
#    PyTorch gets the same), prints that cold rate ("first"), then times STEPS_x steps: the steady rate;
#  - scan: every setting of both sides once, ours and PyTorch alternating (rep 1);
#  - finals: the TOP best settings of each side by the scan run REPS-1 more times, sides alternating, the order
#    reversed every other rep; a setting's figure is the MEDIAN of its REPS steady rates (min, max, spread printed);
#  - headline per size: median of ours at its best setting / median of PyTorch at its best setting (best = highest
#    median), with the range min(ours)/max(torch) .. max(ours)/min(torch) over the reps.
# Last line: ratio=<min over the sizes of the headline ratio>.
# Installs Debian's python3-torch + libopenblas0-pthread with apt if missing (not for CI).
# Env: THREADS (2), STEPS_A (60), STEPS_B (12), WARMUP (2), REPS (3), TOP (2), SIZES ("A B").
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
THREADS="${THREADS:-2}"; STEPS_A="${STEPS_A:-60}"; STEPS_B="${STEPS_B:-12}"; WARMUP="${WARMUP:-2}"
REPS="${REPS:-3}"; TOP="${TOP:-2}"; SIZES="${SIZES:-A B}"
source "$ROOT/bench/lib/jvm-and-torch.sh"
ensure_torch
cd "$ROOT"
CP="$(mktemp)"
trap 'rm -f "$CP"' EXIT
build_model_classpath "$CP"
# the Vector API module: the element-wise kernels (model/.../VectorKernels) run on it, scalar Java without it
JAVA=(java -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=4g --add-modules jdk.incubator.vector -cp "model/target/classes:$(cat "$CP")" io.sparkgpt.model.bench.SpeedBench)

# Every setting as "side|label|env assignments|args" (args: ours "workers blasThreads", torch "threads")
SETTINGS=()
mapfile -t CORES < <(blas_core_envs)
while IFS='|' read -r label w b; do
  for ce in "${CORES[@]}"; do
    SETTINGS+=("ours|${label}${ce:+-avx512blas}|$ce|$w $b")
  done
done < <(our_settings "$THREADS")
while IFS='|' read -r label envs th; do
  for ce in "${CORES[@]}"; do
    SETTINGS+=("torch|${label}${ce:+-avx512blas}|$envs${ce:+ $ce}|$th")
  done
done < <(torch_settings "$THREADS")

echo "machine: $(nproc --all) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(date -u +%FT%TZ)"
echo "rules: warm-up >= $WARMUP steps and >= 3 s untimed (both sides), steps A $STEPS_A / B $STEPS_B timed, $REPS reps for the top $TOP settings per side, median"
ratios=()
val() { sed -n "s/^$1=//p" <<<"$2"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

declare -A STEADY FIRST
# run_one SIZE "C L H T B" steps setting rep: one process, prints a line, appends its steady rate to STEADY[label]
run_one() {
  local size=$1 dims=$2 steps=$3 setting=$4 rep=$5 side label envs args out
  IFS='|' read -r side label envs args <<<"$setting"
  if [[ $side == ours ]]; then
    # shellcheck disable=SC2086
    out=$(env $envs "${JAVA[@]}" $dims "$steps" "$WARMUP" $args 2>/dev/null | grep -v '^SLF4J')
  else
    # shellcheck disable=SC2086
    out=$(env $envs $PY bench/gpt_speed_torch.py $dims "$steps" "$WARMUP" $args)
  fi
  if [[ $rep == 1 ]]; then echo "$size $label $(grep '^blas:' <<<"$out")$(grep '^kernels:' <<<"$out" | sed 's/^/; /')"; fi
  echo "$size $label rep $rep: $(grep -E '^(ours|pytorch)' <<<"$out" | sed 's/^[^:]*: //'); $(grep '^warmup' <<<"$out")$(grep '^cpu' <<<"$out" | sed 's/^/; /')"
  local s; s=$(val tokens_per_s "$out")
  [[ -n $s ]] || { echo "$size $label: no tokens_per_s in the output:" >&2; echo "$out" >&2; exit 1; }
  STEADY[$label]="${STEADY[$label]:-} $s"
  if [[ $rep == 1 ]]; then FIRST[$label]=$(val first_tokens_per_s "$out"); fi
  return 0
}

run_size() { # name "C L H T B" steps
  local name=$1 dims=$2 steps=$3 i r s
  STEADY=(); FIRST=()
  local ours=() torch=()
  for s in "${SETTINGS[@]}"; do [[ $s == ours* ]] && ours+=("$s") || torch+=("$s"); done
  # scan: alternate the sides setting by setting
  for ((i = 0; i < ${#ours[@]} || i < ${#torch[@]}; i++)); do
    if [[ $i -lt ${#ours[@]} ]]; then run_one "$name" "$dims" "$steps" "${ours[$i]}" 1; fi
    if [[ $i -lt ${#torch[@]} ]]; then run_one "$name" "$dims" "$steps" "${torch[$i]}" 1; fi
  done
  # finals: the TOP settings of each side by the scan's steady rate
  local fo=() ft=() lbl
  pick() { local x; for x in "$@"; do IFS='|' read -r _ lbl _ _ <<<"$x"; echo "${STEADY[$lbl]// /} $x"; done | sort -gr | head -"$TOP" | cut -d' ' -f2-; }
  mapfile -t fo < <(pick "${ours[@]}")
  mapfile -t ft < <(pick "${torch[@]}")
  local order=()
  for ((i = 0; i < TOP; i++)); do
    if [[ $i -lt ${#fo[@]} ]]; then order+=("${fo[$i]}"); fi
    if [[ $i -lt ${#ft[@]} ]]; then order+=("${ft[$i]}"); fi
  done
  for ((r = 2; r <= REPS; r++)); do
    if ((r % 2)); then
      for s in "${order[@]}"; do run_one "$name" "$dims" "$steps" "$s" "$r"; done
    else
      for ((i = ${#order[@]} - 1; i >= 0; i--)); do run_one "$name" "$dims" "$steps" "${order[$i]}" "$r"; done
    fi
  done
  # summary: every setting's median of its steady rates; the best median per side
  local bo=0 bol="" bp=0 bpl="" k med mn mx n
  for k in $(printf '%s\n' "${!STEADY[@]}" | sort); do
    med=$(tr ' ' '\n' <<<"${STEADY[$k]}" | grep . | median)
    mn=$(tr ' ' '\n' <<<"${STEADY[$k]}" | grep . | sort -g | head -1)
    mx=$(tr ' ' '\n' <<<"${STEADY[$k]}" | grep . | sort -g | tail -1)
    n=$(wc -w <<<"${STEADY[$k]}")
    printf '%s %s: steady median %.0f tokens/s over %d run(s) (min %.0f, max %.0f, spread %.0f%%); first run %.0f (warm-up rate)\n' \
      "$name" "$k" "$med" "$n" "$mn" "$mx" "$(awk "BEGIN{print 100*($mx-$mn)/$med}")" "${FIRST[$k]:-0}"
    if [[ $n -ge $REPS ]]; then # only finalists (REPS runs) compete for the headline
      if [[ $k == ours* ]]; then
        if awk "BEGIN{exit !($med > $bo)}"; then bo=$med; bol=$k; fi
      else
        if awk "BEGIN{exit !($med > $bp)}"; then bp=$med; bpl=$k; fi
      fi
    fi
  done
  local lo hi ratio
  lo=$(awk -v a="$(tr ' ' '\n' <<<"${STEADY[$bol]}" | grep . | sort -g | head -1)" -v b="$(tr ' ' '\n' <<<"${STEADY[$bpl]}" | grep . | sort -g | tail -1)" 'BEGIN{printf "%.3f", a/b}')
  hi=$(awk -v a="$(tr ' ' '\n' <<<"${STEADY[$bol]}" | grep . | sort -g | tail -1)" -v b="$(tr ' ' '\n' <<<"${STEADY[$bpl]}" | grep . | sort -g | head -1)" 'BEGIN{printf "%.3f", a/b}')
  ratio=$(awk -v a="$bo" -v b="$bp" 'BEGIN{printf "%.3f", a/b}')
  printf '%s: ours best %s median %.0f tokens/s, pytorch best %s median %.0f tokens/s, ratio of medians %s (range over reps %s .. %s)\n' \
    "$name" "$bol" "$bo" "$bpl" "$bp" "$ratio" "$lo" "$hi"
  ratios+=("$ratio")
}
[[ " $SIZES " == *" A "* ]] && run_size A "128 4 4 64 12" "$STEPS_A"
[[ " $SIZES " == *" B "* ]] && run_size B "256 6 8 256 8" "$STEPS_B"
echo "load average at end $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
printf '%s\n' "${ratios[@]}" | sort -g | head -1 | sed 's/^/ratio=/'
