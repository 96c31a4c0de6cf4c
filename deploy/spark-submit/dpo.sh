#!/usr/bin/env bash
# DPO (io.sparkgpt.trainer.align.DpoJob) on preference JSONL from an --init model, which is also the frozen
# reference; reports held-out implicit-reward accuracy and the chosen/rejected log-prob margins.
#
#   deploy/spark-submit/dpo.sh [spark-submit options --] --data <prefs.jsonl[.gz]> --tokenizer <dir> --init <model.ckpt|run> --output <run dir> [--beta 0.1] [job options]
#
# - Everything before a lone `--` goes to submit.sh (--master spark://..., --conf k=v, --executor-memory ...);
#   without `--` every argument is the job's. `dpo.sh --help` lists the job's options with their defaults.
# - The job jar is distributed-trainer/target/distributed-trainer-*-job.jar (built on first use) or
#   $SPARKGPT_JARS/distributed-trainer-*-job.jar.
# - The --init model must be readable by every executor (a path they share, or s3a://).
# - Recommended pure-DPO setting (no SFT term) on the model's own answers, measured above the SFT model beyond noise
#   (bench/RESULTS.md, post-training part 4d: 0.830 -> 0.853 / 0.855 / 0.853 at 3 seeds, sign test p 0.035 / 0.021
#   / 0.035, KL 0.02-0.05; 2 more seeds 0.850 / 0.843, p 0.077 / 0.267): --on-policy 8 --each-wrong --mixed-only
#   --beta 3 --sft-weight 0 --lr 2e-4 --min-lr 2e-5 --max-rounds 10 --local-steps 10 --batch-size 16 --warmup 10
#   (2 workers). The SFT term alone at equal steps (beta ~0, --sft-weight 0.3) gains about as much (DPO ahead by
#   +0.002, not beyond noise) at about three times the KL; beta 1 gains less (p < 0.05 at 1 seed of 3).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

run_trainer_job io.sparkgpt.trainer.align.DpoJob "$@"
