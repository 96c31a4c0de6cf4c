#!/usr/bin/env bash
# The cost of one cluster submit with the JIT limited to C1 and the serial GC, against the JVM defaults:
# PreprocessJob on 40 JSONL documents of Alice (2 files, as RetrainClusterIT's crawl) submitted through submit.sh to
# a 2-worker standalone cluster (local-cluster.sh, 1 core and 1g each), alternating A (defaults) and
# B (-XX:TieredStopAtLevel=1 -XX:+UseSerialGC on driver and executors). Prints one line per submit.
#   bench/suite/submit-jit.sh [WORKDIR]      (needs data-pipeline's job jar: mvn -o -DskipTests package)
# Run it through /work/notes/itlock.sh on the shared machine.
set -u
R="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E="${1:-$(mktemp -d)}"; mkdir -p "$E/crawl"; E="$(cd "$E" && pwd)"
export SPARKGPT_CLUSTER_DIR=$E/cluster SPARK_MASTER_PORT=${SPARK_MASTER_PORT:-17378} \
  SPARK_MASTER_WEBUI_PORT=${SPARK_MASTER_WEBUI_PORT:-18378} SPARK_LOCAL_IP=127.0.0.1
/usr/bin/python3 - "$R/data/test/text/en/alice-11-0.txt" "$E/crawl" <<'PY'
import json, sys
t = open(sys.argv[1], encoding='utf-8').read()
w = t[t.index('CHAPTER I.'):].split()
for f in range(2):
    with open(f'{sys.argv[2]}/part-{f:03d}.jsonl', 'w') as o:
        for i in range(40 + f * 20, 60 + f * 20):
            o.write(json.dumps({"url": f"http://alice.example/{i}", "text": " ".join(w[i*150:i*150+150]) + "."}) + "\n")
PY
ls "$E"/crawl/*.jsonl > "$E/crawl.paths"
date -u; uptime
"$R/deploy/spark-submit/local-cluster.sh" start --workers 2 --cores 1 --memory 1g > "$E/start.log" 2>&1 || { echo "cluster start failed: $E/start.log"; exit 1; }
J=$(ls "$R"/data-pipeline/target/data-pipeline-*-job.jar)
for run in A1 B1 B2 A2; do
  rm -rf "$E/out-$run"
  f=(); [[ $run == B* ]] && f=(--conf "spark.driver.extraJavaOptions=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
                              --conf "spark.executor.extraJavaOptions=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
  t0=$(date +%s.%N)
  "$R/deploy/spark-submit/submit.sh" --master "spark://127.0.0.1:$SPARK_MASTER_PORT" --executor-memory 1g "${f[@]}" \
    --class io.sparkgpt.pipeline.preprocess.PreprocessJob "$J" --input "$E/crawl.paths" --output "$E/out-$run" > "$E/$run.log" 2>&1
  rc=$?
  echo "$run rc=$rc $(echo "$(date +%s.%N) - $t0" | bc) s start=$(date -d @${t0%.*} +%T) load=$(cut -d' ' -f1 /proc/loadavg) $(grep -o '[0-9]* documents kept of [0-9]* read' "$E/$run.log")"
done
"$R/deploy/spark-submit/local-cluster.sh" stop > "$E/stop.log" 2>&1
date -u; uptime
