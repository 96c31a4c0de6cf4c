#!/usr/bin/env bash
# Text augmentation of documents (Parquet with id, text[, language]) or fine-tuning examples (chat JSONL) with
# WordNet synonyms, sentence reordering and character/word noise (io.sparkgpt.pipeline.augment.AugmentJob). The
# originals are kept beside their variants, linked by source_id / augmentation / variant; stats.json counts them.
#
#   deploy/spark-submit/augment.sh [spark-submit options --] --input <parquet|a.jsonl,b.jsonl> --output <dir> [options]
#
# Options: --synonym-rate R --reorder-rate R --char-noise-rate R --word-noise-rate R (0 = off), --copies N,
# --seed S, --format documents|chat|auto, --language auto|en|..., --overwrite. `augment.sh --help` lists them.
# Examples:
#   augment.sh --input work/demo/data/documents --output work/aug --synonym-rate 0.1 --reorder-rate 0.5
#   augment.sh --input train.jsonl --output work/aug-chat --char-noise-rate 0.05 --word-noise-rate 0.05 --copies 4
#   sft.sh ... --train work/aug-chat/examples.jsonl
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
run_job data-pipeline io.sparkgpt.pipeline.augment.AugmentJob "$@"
