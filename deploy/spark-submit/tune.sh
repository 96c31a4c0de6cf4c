#!/usr/bin/env bash
# Hyperparameter search or k-fold cross-validation of a training job (io.sparkgpt.trainer.tune.TuneJob): each trial
# is one Spark task training the job's own command line with the trial's values on one executor core, with its own
# checkpoints and metrics under <output>/trials/<id>/; then trials.parquet, a table, tune.png and best.json (a
# --config file of the winner), or folds.json for --folds. A re-run continues: finished trials are not re-run.
#
#   deploy/spark-submit/tune.sh [spark-submit options --] --job pretrain|sft|train-reward|dpo|ppo --output <dir> (--space <json> | --folds k) [tuner options] <the job's flags>
#
# - Everything before a lone `--` goes to submit.sh; every flag the tuner does not know is the job's (its --output
#   and --workers are set per trial). `tune.sh --help` lists the tuner's options.
# - Examples:
#     tune.sh --job pretrain --space lr.json --output out/tune --data out/data/tokens --n-layer 2 --max-steps 200
#     tune.sh --job pretrain --space lr.json --strategy halving --candidates grid --min-budget 10 --max-budget 90 \
#       --output out/halving --data out/data/tokens
#     tune.sh --job sft --folds 5 --output out/cv --init out/run --tokenizer out/tokenizer --train chat.jsonl
#     tune.sh --job dpo --space dpo.json --output out/tune-dpo --init out/sft --tokenizer out/tokenizer \
#       --data prefs.jsonl
#       (dpo.json: {"beta": {"log_uniform": [0.03, 1], "grid": 4}, "lr": {"choice": [5e-5, 1e-4]}}; train-reward
#       and ppo likewise, e.g. {"kl-coef": {"choice": [0.02, 0.05, 0.1]}} for ppo; --folds is sft's only)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

run_trainer_job io.sparkgpt.trainer.tune.TuneJob "$@"
