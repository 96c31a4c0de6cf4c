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
# - With the answer checker, the recommended setting (bench/RESULTS.md, post-training part 4c; above SFT at every
#   seed, 0.863 / 0.868 / 0.868 against 0.830, sign test p 0.053 / 0.020 / 0.032, KL 0.37-0.43):
#   --samples-per-prompt 4 --baseline group --mixed-group-draws 16 --batch-size 16 --lr 2e-4 --min-lr 2e-5
#   --max-rounds 100 (--kl-coef 0.05). Half the rounds and draws (--max-rounds 50 --mixed-group-draws 8; part 4) take
#   half the time for a little less at less KL (0.860 at each of three seeds, p 0.058 each, KL 0.29-0.32): the mixed
#   groups run out after ~40 rounds. Without --mixed-group-draws, or with the value baseline, PPO does not move the
#   held-out reward.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

run_trainer_job io.sparkgpt.trainer.align.PpoJob "$@"
