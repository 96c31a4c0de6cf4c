#!/usr/bin/env bash
# PPO (io.sparkgpt.trainer.align.PpoJob): policy + value head, rollouts sampled on the executors, reward from the
# answer checker or a reward model's model.ckpt, per-token KL penalty to the --init reference, GAE, clipped objective;
# reports held-out reward and KL per round.
#
#   deploy/spark-submit/ppo.sh [spark-submit options --] --data <prompts.jsonl> --tokenizer <dir> --init <model.ckpt|run> --output <run dir> [--reward checker|<rm model.ckpt>] [job options]
#
# - Everything before a lone `--` goes to submit.sh (--master spark://..., --conf k=v, --executor-memory ...);
#   without `--` every argument is the job's. `ppo.sh --help` lists the job's options with their defaults.
# - The job jar is distributed-trainer/target/distributed-trainer-*-job.jar (built on first use) or
#   $SPARKGPT_JARS/distributed-trainer-*-job.jar.
# - The --init model must be readable by every executor (a path they share, or s3a://).
# - With the answer checker, the best setting measured (bench/RESULTS.md, post-training part 4; above SFT at every
#   seed, sign test p 0.058 at each of three - short of p < 0.05): --samples-per-prompt 4 --baseline group
#   --mixed-group-draws 8 --batch-size 16 --lr 2e-4 --min-lr 2e-5 --max-rounds 50 (--kl-coef 0.05). Without
#   --mixed-group-draws, or with the value baseline, PPO does not move the held-out reward. Twice the rounds and
#   draws (--max-rounds 100 --mixed-group-draws 16; part 4c) gain a little more at more KL (0.863 / 0.868, p 0.053 /
#   0.020, KL 0.37 / 0.43; its third seed not yet run) at 2-3x the time: the mixed groups run out after ~40 rounds.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

run_trainer_job io.sparkgpt.trainer.align.PpoJob "$@"
