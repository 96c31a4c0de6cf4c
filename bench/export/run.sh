#!/usr/bin/env bash
# Export checked by a reader that is not ours: trains a small character-level GPT on data/test's Shakespeare with
# `gpt train`, exports it with `gpt export` (Hugging Face GPT-2 layout), and has PyTorch (Debian's python3-torch,
# /usr/bin/python3) load model.safetensors into a GPT-2 written in check_torch.py and compare its logits with ours
# (`gpt logits`). Two models: biases + tied head + tanh GELU (GPT-2 itself), and no biases + own head + exact GELU.
# Needs: apt-get install -y python3-torch libopenblas0-pthread. Last line: the largest max_abs_diff of the two.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$ROOT/bench/mvn-offline-first.sh"
cd "$ROOT"
PY=/usr/bin/python3
"$PY" -c "import torch, numpy" 2> /dev/null || { echo "run.sh: $PY lacks torch (apt-get install -y python3-torch libopenblas0-pthread)" >&2; exit 2; }
WORK="${WORK:-$(mktemp -d)}"
CP="$WORK/cp.txt"
# compile + classpath in one reactor build: the sibling modules resolve to their target/classes (no install)
bench_mvn -pl model -am compile dependency:build-classpath -Dmdep.outputFile="$CP" >&2
JCP="$ROOT/model/target/classes:$ROOT/tokenizer/target/classes:$ROOT/common/target/classes:$(cat "$CP")"
gpt() { java -Xmx2g -cp "$JCP" io.sparkgpt.model.cli.GptMain "$@"; }
IDS="$(seq -s, 10 1 41)"
worst=0
for variant in "--bias" "--untied --gelu exact"; do
  name="$(echo "$variant" | tr -d ' -')"
  # shellcheck disable=SC2086
  gpt train --data data/test/text/en/tinyshakespeare-input.txt --out "$WORK/$name" --overwrite --n-layer 2 \
    --n-head 4 --n-embd 64 --block-size 32 --batch-size 8 --max-steps 60 --warmup 10 --eval-interval 60 \
    --eval-steps 2 --log-interval 60 $variant > /dev/null
  gpt export --model "$WORK/$name/checkpoint.bin" --output "$WORK/$name-hf" --no-tokenizer
  gpt logits --checkpoint "$WORK/$name/checkpoint.bin" --ids "$IDS" --output "$WORK/$name-logits.bin"
  out="$("$PY" "$ROOT/bench/export/check_torch.py" "$WORK/$name-hf" "$WORK/$name-logits.bin" "$IDS")"
  echo "$variant: $out" | sed 's/^/  /' >&2
  d="$(echo "$out" | tail -n 1 | cut -d= -f2)"
  worst="$("$PY" -c "print(max($worst, $d))")"
done
echo "max_abs_diff=$worst"
