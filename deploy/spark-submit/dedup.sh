#!/usr/bin/env bash
# dedup: documents Parquet -> kept documents, excluded/dedup (reason exact_url | exact_content | near_duplicate,
# duplicate_of, similarity), stats.json (pairs, clusters, cluster-size histogram, removed by reason), _SUCCESS.
# Exact URL dedup (latest fetch wins), exact content dedup (SHA-256 of normalised text), then MinHash-LSH over
# word 5-grams (character 5-grams for zh/ja/th-like scripts), 20 bands x 5 rows (S-curve midpoint ~0.55), exact
# Jaccard check at 0.7, distributed connected components; one document kept per cluster (smallest xxhash64(id)).
#
#   deploy/spark-submit/dedup.sh [spark options --] --input <documents> --output <dir>
#       [--bands 20 --rows 5] [--ngram 5] [--char-ngram 5] [--jaccard-threshold 0.7] [--no-verify]
#       [--no-exact] [--no-fuzzy] [--partitions N] [--overwrite]
#   deploy/spark-submit/dedup.sh --master spark://127.0.0.1:7077 -- \
#       --input /data/out/documents --output /data/out/dedup
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
run_job data-pipeline io.sparkgpt.pipeline.dedup.DedupJob "$@"
