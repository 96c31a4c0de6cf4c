#!/usr/bin/env bash
# GPT pretraining by parameter averaging on Spark (io.sparkgpt.trainer.PretrainJob).
#
#   deploy/spark-submit/pretrain.sh [spark-submit options --] --data <tokens dir> --output <run dir> [job options]
#
# - Everything before a lone `--` goes to submit.sh (--master spark://..., --conf k=v, --executor-memory ...);
#   without `--` every argument is the job's. `pretrain.sh --help` lists the job's options with their defaults.
# - The job jar is $SPARKGPT_TRAINER_JAR, else distributed-trainer/target/distributed-trainer-*-job.jar
#   (build it: mvn -B package -DskipTests -pl distributed-trainer -am).
# - Defaults for the executors (yours, given before `--`, win): 1 GiB heap, ND4J/JavaCPP off-heap caps, and
#   OMP_NUM_THREADS = spark.executor.cores (1 unless you say otherwise), so a worker's BLAS threads match its cores.
# - Examples:
#     pretrain.sh --data out/tokens --output out/run --workers 2 --max-rounds 20        # local[*]
#     pretrain.sh --master spark://127.0.0.1:7077 -- --data out/tokens --output s3a://bucket/run --resume
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

spark_args=()
job_args=("$@")
for ((i = 1; i <= $#; i++)); do
  if [[ "${!i}" == "--" ]]; then
    spark_args=("${@:1:i-1}")
    job_args=("${@:i+1}")
    break
  fi
done

jar="${SPARKGPT_TRAINER_JAR:-}"
if [[ -z "$jar" ]]; then
  jar="$(ls "$root"/distributed-trainer/target/distributed-trainer-*-job.jar 2> /dev/null | head -n 1 || true)"
fi
if [[ -z "$jar" || ! -f "$jar" ]]; then
  echo "pretrain.sh: no job jar (build it: mvn -B package -DskipTests -pl distributed-trainer -am, or set SPARKGPT_TRAINER_JAR)" >&2
  exit 2
fi

cores=1
for ((i = 0; i < ${#spark_args[@]}; i++)); do
  case "${spark_args[i]}" in
    --executor-cores) cores="${spark_args[i + 1]}" ;;
    spark.executor.cores=*) cores="${spark_args[i]#*=}" ;;
  esac
done

offheap="-Dorg.bytedeco.javacpp.maxbytes=${SPARKGPT_MAXBYTES:-2g} -Dorg.bytedeco.javacpp.maxphysicalbytes=${SPARKGPT_MAXPHYSICALBYTES:-4g}"
exec "$here/submit.sh" \
  --conf spark.executor.memory=1g \
  --conf spark.executor.cores="$cores" \
  --conf spark.executorEnv.OMP_NUM_THREADS="$cores" \
  --conf spark.task.maxFailures=4 \
  --conf "spark.executor.extraJavaOptions=$offheap" \
  --conf "spark.driver.extraJavaOptions=$offheap -Djava.awt.headless=true" \
  "${spark_args[@]}" \
  --class io.sparkgpt.trainer.PretrainJob "$jar" "${job_args[@]}"
