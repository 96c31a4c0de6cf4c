#!/usr/bin/env bash
# Training speed of our GPT (model/: hand-written forward/backward on OpenBLAS) against PyTorch on the same model,
# batch, steps and thread count, in one run, at two sizes:
#   A: nanoGPT's CPU recipe   C=128 L=4 H=4 T=64  B=12
#   B: the larger model       C=256 L=6 H=8 T=256 B=8
# Prints tokens/s of both, GFLOP/s against each side's measured 1024^3 matmul peak, the ratio per size, and as the
# LAST line ratio=<min over the sizes of DL4J-side/PyTorch tokens/s>.
# Installs Debian's python3-torch + libopenblas0-pthread with apt if missing (not for CI).
# Env: THREADS (2), STEPS_A (30), STEPS_B (6), REPS (2: alternating runs, best of each side is kept).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
THREADS="${THREADS:-2}"; STEPS_A="${STEPS_A:-30}"; STEPS_B="${STEPS_B:-6}"; REPS="${REPS:-2}"
PY=/usr/bin/python3
if ! $PY -c 'import torch' 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "installing python3-torch + libopenblas0-pthread (apt)" >&2
  if [ "$(id -u)" = 0 ]; then APT="apt-get"; else APT="sudo apt-get"; fi
  DEBIAN_FRONTEND=noninteractive $APT install -y -q python3-torch libopenblas0-pthread >&2
fi
cd "$ROOT"
mvn -q -B -o install -DskipTests -pl model -am >&2
CP="$(mktemp)"
mvn -q -B -o dependency:build-classpath -pl model -Dmdep.outputFile="$CP" >&2
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
JAVA=(java -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=4g -cp "model/target/classes:$(cat "$CP")" io.sparkgpt.model.bench.SpeedBench)
echo "machine: $(nproc --all) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(date -u +%FT%TZ)"
ratios=()
run_size() { # name C L H T B steps
  local name=$1; shift
  local best_j=0 best_p=0 line tps
  for r in $(seq 1 "$REPS"); do
    line=$("${JAVA[@]}" "$1" "$2" "$3" "$4" "$5" "$6" 2 "$THREADS" 2>/dev/null | grep -v '^SLF4J')
    echo "$name rep $r: $(echo "$line" | head -1)"
    tps=$(echo "$line" | sed -n 's/^tokens_per_s=//p'); best_j=$(echo "$tps $best_j" | awk '{print ($1>$2)?$1:$2}')
    line=$($PY bench/gpt_speed_torch.py "$1" "$2" "$3" "$4" "$5" "$6" 2 "$THREADS")
    echo "$name rep $r: $(echo "$line" | head -1)"
    tps=$(echo "$line" | sed -n 's/^tokens_per_s=//p'); best_p=$(echo "$tps $best_p" | awk '{print ($1>$2)?$1:$2}')
  done
  local ratio; ratio=$(echo "$best_j $best_p" | awk '{printf "%.3f", $1/$2}')
  echo "$name: ours ${best_j} tokens/s, pytorch ${best_p} tokens/s, ratio ${ratio}"
  ratios+=("$ratio")
}
run_size A 128 4 4 64 12 "$STEPS_A"
run_size B 256 6 8 256 8 "$STEPS_B"
rm -f "$CP"
echo "load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s\n' "${ratios[@]}" | sort -g | head -1 | sed 's/^/ratio=/'
