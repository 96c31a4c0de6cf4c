#!/usr/bin/env bash
# nanoGPT's CPU recipe on character-level tinyshakespeare, trained by our GPT (model/ module, GptMain train), and by
# nanoGPT's own model and loop in PyTorch (bench/nanogpt_shakespeare_torch.py) as the peer, in the same run:
#   90/10 split, n_layer 4, n_head 4, n_embd 128, block 64, batch 12, 2000 iterations, lr 1e-3 (min 1e-4,
#   warmup 100, cosine to step 2000), AdamW betas (0.9, 0.99), weight decay 0.1 on every 2-D tensor (embeddings
#   included, as nanoGPT's configure_optimizers does), clip 1.0, no dropout, no bias, tied LM head.
# nanoGPT reports val loss ~1.88 with it. Both sides estimate the val loss the same way (EVAL_STEPS random batches),
# after training; the seconds are the training loop's alone on both sides (ours: elapsed_s at the last step in
# metrics.jsonl, before the final evaluation).
# Each side runs at each of its settings (issue 14: best against best): ours at 1 thread, at THREADS worker threads
# and at 1 worker over a THREADS-thread OpenBLAS; PyTorch at 1 thread, at THREADS over the pthread OpenBLAS at THREADS
# and at 1, and over Debian's OpenMP OpenBLAS (bench/lib/jvm-and-torch.sh). Prints the BLAS each side mapped.
# Last line: val_loss=<ours, mean over SEEDS, best setting> seconds=<ours, best setting> peer_val_loss=<>
#            peer_seconds=<PyTorch's best setting> speedup=<peer_seconds / seconds>
# Env: DATA (text file), STEPS (2000), EVAL_STEPS (200 validation batches per estimate; nanoGPT's recipe uses 20),
#      THREADS (2), SEEDS ("1337"), PEER (1: also run PyTorch), OUT (a temp dir),
#      GELU (tanh: GPT-2's approximation on our side, nanoGPT's exact GELU on the peer's; exact: both exact),
#      SETTINGS (an extended regex over the setting labels printed below, e.g. 'ours-2workers|openmp': run only
#      those; default all - "best" is then the best of the settings run, which the output names).
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
source "$ROOT/bench/lib/jvm-and-torch.sh"
[[ "$PEER" == 1 ]] && ensure_torch
cd "$ROOT"
CP="$(mktemp)"
trap 'rm -f "$CP"' EXIT
build_model_classpath "$CP"
mapfile -t OURS < <(our_settings "$THREADS")
PEERS=()
[[ "$PEER" == 1 ]] && mapfile -t PEERS < <(torch_settings "$THREADS")
if [[ -n "${SETTINGS:-}" ]]; then
  mapfile -t OURS < <(printf '%s\n' "${OURS[@]}" | grep -E "^[^|]*($SETTINGS)" || true)
  ((${#PEERS[@]})) && mapfile -t PEERS < <(printf '%s\n' "${PEERS[@]}" | grep -E "^[^|]*($SETTINGS)" || true)
  ((${#OURS[@]})) || { echo "nanogpt-shakespeare.sh: SETTINGS '$SETTINGS' matches none of our settings" >&2; exit 2; }
  echo "settings run (SETTINGS='$SETTINGS'): $(printf '%s\n' "${OURS[@]}" "${PEERS[@]}" | cut -d'|' -f1 | tr '\n' ' ')"
fi
echo "GELU: ours $GELU, peer exact"
echo "machine: $(nproc --all) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start; $(date -u +%FT%TZ)"
declare -A secs=() vals=()
for seed in $SEEDS; do
  for s in "${OURS[@]}"; do
    IFS='|' read -r label th blas <<<"$s"
    run="$OUT/$label-$seed"
    mkdir -p "$run"
    java -Xmx2g -Dorg.bytedeco.javacpp.maxbytes=3g --add-modules jdk.incubator.vector \
      -cp "model/target/classes:$(cat "$CP")" io.sparkgpt.model.cli.GptMain \
      train --data "$DATA" --out "$run" --overwrite --val-fraction 0.1 \
      --n-layer 4 --n-head 4 --n-embd 128 --block-size 64 --dropout 0.0 \
      --batch-size 12 --max-steps "$STEPS" --lr 1e-3 --min-lr 1e-4 --warmup 100 --weight-decay 0.1 --decay-embeddings \
      --beta1 0.9 --beta2 0.99 --grad-clip 1.0 --gelu "$GELU" --eval-interval 0 --eval-steps "$EVAL_STEPS" \
      --log-interval 100 --threads "$th" --blas-threads "$blas" --seed "$seed" 2>&1 | grep --line-buffered -v '^SLF4J' \
      > "$run/train.log" || true
    line="$(grep '^val_loss=' "$run/train.log" | tail -1)"
    [[ -n "$line" ]] || { tail -20 "$run/train.log" >&2; echo "nanogpt-shakespeare.sh: our run $label (seed $seed) failed" >&2; exit 1; }
    train_s="$(grep '"tokens_per_s"' "$run/metrics.jsonl" | tail -1 | sed -n 's/.*"elapsed_s":\([0-9.eE+-]*\).*/\1/p')"
    val="$(sed -n 's/^val_loss=\([0-9.]*\).*/\1/p' <<<"$line")"
    echo "$label seed $seed: val_loss=$val train_seconds=$(printf '%.1f' "$train_s")   ($(grep -m1 '^model:' "$run/train.log" | sed 's/.*; threads/threads/'))"
    secs[$label]="${secs[$label]:-} $train_s"; vals[$label]="${vals[$label]:-} $val"
  done
  for s in "${PEERS[@]}"; do
    IFS='|' read -r label envs th <<<"$s"
    peer="$(env $envs $PY bench/nanogpt_shakespeare_torch.py "$DATA" --seed "$seed" --steps "$STEPS" \
      --eval-steps "$EVAL_STEPS" --threads "$th")"
    line="$(tail -1 <<<"$peer")"
    echo "$label seed $seed: $line   ($(grep '^blas:' <<<"$peer"))"
    secs[$label]="${secs[$label]:-} $(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")"
    vals[$label]="${vals[$label]:-} $(sed -n 's/^val_loss=\([0-9.]*\).*/\1/p' <<<"$line")"
  done
done
mean() { awk '{s=0; for (i=1;i<=NF;i++) s+=$i; printf "%.4f", s/NF}' <<<"$1"; }
bo=""; bos=1e18; bp=""; bps=1e18
for k in $(printf '%s\n' "${!secs[@]}" | sort); do
  m="$(mean "${secs[$k]}")"
  echo "mean of $k: val_loss=$(mean "${vals[$k]}") train_seconds=$(printf '%.1f' "$m")"
  if [[ $k == ours* ]]; then
    if awk "BEGIN{exit !($m < $bos)}"; then bos=$m; bo=$k; fi
  elif awk "BEGIN{exit !($m < $bps)}"; then bps=$m; bp=$k; fi
done
echo "load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -n "$bp" ]]; then
  echo "best: ours $bo, pytorch $bp"
  printf 'val_loss=%.4f seconds=%.1f peer_val_loss=%.4f peer_seconds=%.1f speedup=%.3f\n' "$(mean "${vals[$bo]}")" "$bos" \
    "$(mean "${vals[$bp]}")" "$bps" "$(awk "BEGIN{print $bps/$bos}")"
else
  echo "best: ours $bo"
  printf 'val_loss=%.4f seconds=%.1f\n' "$(mean "${vals[$bo]}")" "$bos"
fi
