#!/usr/bin/env bash
# Language ID on bench/langid's texts by two detectors that do not run on the JVM, against the language step:
# fastText's lid.176 (the model CCNet and FineWeb identify languages with) and Google's CLD3, both from their npm
# WebAssembly builds (fasttext.wasm.js 1.0.0 bundles lid.176.ftz; cld3-asm 4.0.0). Accuracy only: a WebAssembly
# build's speed says little about the native library's. Same sets and truth as run.sh (udhr: the language+script
# pairs OpenNLP's model supports; handbook pages: their majority language). Last line: the handbook accuracies.
#
#   bench/langid/others.sh
#   BENCH_HANDBOOK_LANGS=ar-MA,fa-IR bench/langid/others.sh   other handbook translations (default: run.sh's 10)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
node_dir="$here/target/node"
mkdir -p "$node_dir"
if [ ! -d "$node_dir/node_modules/fasttext.wasm.js" ] || [ ! -d "$node_dir/node_modules/cld3-asm" ]; then
  (cd "$node_dir" && npm install --silent --no-audit --no-fund fasttext.wasm.js@1.0.0 cld3-asm@4.0.0 >&2)
fi
texts="$here/target/texts.jsonl"
BENCH_ROUNDS=0 BENCH_DUMP="$texts" "$here/run.sh" > "$here/target/run.out"
grep -E '^(date|udhr on supported language\+script pairs, ours:)' "$here/target/run.out"
NODE_PATH="$node_dir/node_modules" node "$here/others.mjs" "$texts"
