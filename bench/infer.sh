#!/usr/bin/env bash
# Generation speed of the forward-only engine (model/.../infer: InferenceModel) against PyTorch generating with the
# same model (the weights read from our checkpoint file) in the same run: greedy decoding of NEW tokens after a
# PROMPT-token prompt, one sequence, with and without the KV cache, float32 and int8 (Q8_0); a batch of BATCH
# sequences through one step; model sizes; held-out perplexity of float32 vs int8 for a character-level checkpoint
# (MODELS entry "path/to/model.ckpt" with TEXT=the text it was trained on: the last 10% is held out).
# Both sides print their first greedy tokens: equal lists mean the same model runs on both.
# LAST line: ratio=<min over MODELS of (ours float32 with KV cache) / (PyTorch with KV cache), tokens/s>.
# Env: THREADS (2), PROMPT (16), NEW (64), BATCH (8), REPS (3, best kept), MODELS (space-separated: checkpoints or
# random:C,L,H,T,V), TEXT. Installs Debian's python3-torch + libopenblas0-pthread with apt if missing (not for CI).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
THREADS="${THREADS:-2}"; P="${PROMPT:-16}"; N="${NEW:-64}"; B="${BATCH:-8}"; REPS="${REPS:-3}"
MODELS="${MODELS:-random:128,4,4,64,65 random:256,6,8,256,4096 random:512,8,8,256,8192}"
TEXT="${TEXT:-}"
PY=/usr/bin/python3
if ! $PY -c 'import torch' 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "installing python3-torch + libopenblas0-pthread (apt)" >&2
  if [ "$(id -u)" = 0 ]; then APT="apt-get"; else APT="sudo apt-get"; fi
  DEBIAN_FRONTEND=noninteractive $APT install -y -q python3-torch libopenblas0-pthread >&2
fi
cd "$ROOT"
CP="$(mktemp)"; PROMPT_FILE="$(mktemp)"
trap 'rm -f "$CP" "$PROMPT_FILE"' EXIT
mvn -q -B -o -pl model -am compile dependency:build-classpath -Dmdep.outputFile="$CP" >&2
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
JAVA=(java -Xmx4g -Dorg.bytedeco.javacpp.maxbytes=4g --add-modules jdk.incubator.vector
      -Dsparkgpt.int8.threads="$THREADS"
      -cp "model/target/classes:$(cat "$CP")" io.sparkgpt.model.bench.InferBench)
echo "machine: $(nproc --all) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(date -u +%FT%TZ)"
best() { sed -n "$1" | awk '{ if ($1 > m) m = $1 } END { printf "%.1f", m }'; }
ratios=()
for m in $MODELS; do
  out=$("${JAVA[@]}" "$m" "$P" "$N" "$B" "$REPS" $TEXT 2>&1 | grep -v -e '^SLF4J' -e 'incubat') || { echo "$out"; exit 1; }
  echo "$out" | sed "s|^|[$m] |"
  ckpt=$(echo "$out" | sed -n 's/^checkpoint=//p')
  echo "$out" | sed -n 's/^prompt: //p' > "$PROMPT_FILE"
  pout=$($PY bench/infer_torch.py "$ckpt" "$P" "$N" "$REPS" "$THREADS" "$PROMPT_FILE")
  echo "$pout" | sed "s|^|[$m] |"
  f32=$(echo "$out" | best 's/.* float32: kv \([0-9.]*\) tokens.*/\1/p')
  f32n=$(echo "$out" | best 's/.* float32: kv .*no-kv \([0-9.]*\) tokens.*/\1/p')
  i8=$(echo "$out" | best 's/.* int8: kv \([0-9.]*\) tokens.*/\1/p')
  i8n=$(echo "$out" | best 's/.* int8: kv .*no-kv \([0-9.]*\) tokens.*/\1/p')
  f32b=$(echo "$out" | best 's/.* float32: .*with kv \([0-9.]*\) tokens.*/\1/p')
  i8b=$(echo "$out" | best 's/.* int8: .*with kv \([0-9.]*\) tokens.*/\1/p')
  tk=$(echo "$pout" | best 's/.* torch: kv \([0-9.]*\) tokens.*/\1/p')
  tn=$(echo "$pout" | best 's/.* torch: no-kv \([0-9.]*\) tokens.*/\1/p')
  same=$([ "$(echo "$out" | sed -n 's/^greedy tokens float32: //p')" = "$(echo "$pout" | sed -n 's/^greedy tokens torch: //p')" ] && echo yes || echo NO)
  r=$(echo "$f32 $tk" | awk '{printf "%.3f", $1/$2}')
  echo "[$m] tokens/s (best of $REPS): ours float32 kv $f32 / no-kv $f32n / batch $B $f32b; int8 kv $i8 / no-kv $i8n / batch $B $i8b; torch kv $tk / no-kv $tn; float32-kv/torch-kv $r; int8-kv/torch-kv $(echo "$i8 $tk" | awk '{printf "%.3f", $1/$2}'); same greedy tokens: $same"
  ratios+=("$r")
done
echo "load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%s\n' "${ratios[@]}" | sort -g | head -1 | sed 's/^/ratio=/'
