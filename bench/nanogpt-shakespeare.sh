#!/usr/bin/env bash
# nanoGPT's CPU recipe on character-level tinyshakespeare, trained by our GPT (model/ module, GptMain train), and by
# nanoGPT's own model and loop in PyTorch (bench/nanogpt_shakespeare_torch.py) as the peer, in the same run:
#   90/10 split, n_layer 4, n_head 4, n_embd 128, block 64, batch 12, 2000 iterations, lr 1e-3 (min 1e-4,
#   warmup 100, cosine to step 2000), AdamW betas (0.9, 0.99), weight decay 0.1 on every 2-D tensor (embeddings
#   included, as nanoGPT's configure_optimizers does), clip 1.0, no dropout, no bias, tied LM head.
# nanoGPT reports val loss ~1.88 with it. Both sides estimate the val loss the same way (EVAL_STEPS random batches).
# Last line: val_loss=<mean over SEEDS of ours> seconds=<mean training seconds of ours>
# Env: DATA (text file), STEPS (2000), EVAL_STEPS (200 validation batches per estimate; nanoGPT's recipe uses 20),
#      THREADS (2), SEEDS ("1337"), PEER (1: also run PyTorch when /usr/bin/python3 has torch), OUT (a temp dir),
#      GELU (tanh: GPT-2's approximation on our side, nanoGPT's exact GELU on the peer's; exact: both exact).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data/text/en/tinyshakespeare-input.txt}"
STEPS="${STEPS:-2000}"
EVAL_STEPS="${EVAL_STEPS:-200}"
THREADS="${THREADS:-2}"
SEEDS="${SEEDS:-1337}"
PEER="${PEER:-1}"
GELU="${GELU:-tanh}"
OUT="${OUT:-$(mktemp -d /tmp/nanogpt-shakespeare.XXXXXX)}"
cd "$ROOT"
mvn -q -B -o install -DskipTests -pl model -am >&2
CP="$(mktemp)"
mvn -q -B -o dependency:build-classpath -pl model -Dmdep.outputFile="$CP" >&2
export OMP_NUM_THREADS="$THREADS" OPENBLAS_NUM_THREADS="$THREADS" MKL_NUM_THREADS="$THREADS"
echo "GELU: ours $GELU, peer exact"
echo "machine: $(nproc --all) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(date -u +%FT%TZ)"
ours=()
for seed in $SEEDS; do
  run="$OUT/ours-$seed"
  mkdir -p "$run"
  java -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=3g -cp "model/target/classes:$(cat "$CP")" io.sparkgpt.model.cli.GptMain \
    train --data "$DATA" --out "$run" --overwrite --val-fraction 0.1 \
    --n-layer 4 --n-head 4 --n-embd 128 --block-size 64 --dropout 0.0 \
    --batch-size 12 --max-steps "$STEPS" --lr 1e-3 --min-lr 1e-4 --warmup 100 --weight-decay 0.1 --decay-embeddings \
    --beta1 0.9 --beta2 0.99 --grad-clip 1.0 --gelu "$GELU" --eval-interval 500 --eval-steps "$EVAL_STEPS" --log-interval 100 \
    --threads "$THREADS" --seed "$seed" 2>&1 | grep --line-buffered -v '^SLF4J' > "$run/train.log" || true
  line="$(grep '^val_loss=' "$run/train.log" | tail -1)"
  [[ -n "$line" ]] || { tail -20 "$run/train.log" >&2; echo "nanogpt-shakespeare.sh: our run (seed $seed) failed" >&2; exit 1; }
  echo "ours    seed $seed: $line"
  ours+=("$line")
  if [[ "$PEER" == 1 ]] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    peer="$(/usr/bin/python3 bench/nanogpt_shakespeare_torch.py "$DATA" --seed "$seed" --steps "$STEPS" \
      --eval-steps "$EVAL_STEPS" --threads "$THREADS" | tail -2)"
    echo "pytorch seed $seed: $(echo "$peer" | tail -1)   ($(echo "$peer" | head -1))"
  fi
done
rm -f "$CP"
printf '%s\n' "${ours[@]}" | sed 's/[a-z_]*=//g' | awk '{v += $1; s += $2; n++} END {printf "val_loss=%.4f seconds=%.1f\n", v/n, s/n}'
