#!/usr/bin/env bash
# inspect: schema, row count, size on disk, first rows and stats.json of any Parquet output of this project.
#
#   deploy/spark-submit/inspect.sh [spark options --] --input <dir|s3a://...> [--rows N] [--truncate[=N]] [--report FILE] [--profile FILE.json]
#   deploy/spark-submit/inspect.sh --master spark://127.0.0.1:7077 -- --input /data/out/documents --rows 3
#
# The pattern of every job script here: spark-submit options (--master, --deploy-mode, --conf ...) before `--`,
# the job's own options after it (all arguments go to the job when there is no `--`). The job jar is
# data-pipeline/target/data-pipeline-*-job.jar (built on first use) or $SPARKGPT_JARS/data-pipeline-*-job.jar.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
run_job data-pipeline io.sparkgpt.pipeline.inspect.InspectJob "$@"
