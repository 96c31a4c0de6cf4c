#!/usr/bin/env bash
# The main job end to end on embedded defaults: the bundled sample crawl (data/sample) -> clean, deduplicated
# documents -> a byte-level BPE tokenizer trained on them -> token shards -> a tiny GPT pretrained by parameter
# averaging over 2 workers -> a sample of its text. Every step is the real job, submitted through submit.sh.
#
#   deploy/spark-submit/demo.sh [--master MASTER] [--output DIR] [--rounds N] [--posttrain]
#
#   --master     local[*] (default), or spark://127.0.0.1:7077 after `local-cluster.sh start --workers 2`
#   --output     where every step writes (default: work/demo under the repository); a re-run skips complete steps
#   --rounds     averaging rounds of the pretraining (default 60)
#   --posttrain  then SFT -> reward model -> DPO from the pretrained model (demo-posttrain.sh), before/after figures
#
# First run: builds the job jars (mvn package, a few minutes) and assembles the Spark runtime (install-spark.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/_lib.sh"

master="local[*]"
out="$root/work/demo"
rounds=60
posttrain=0
while (($# > 0)); do
  case "$1" in
    --master) master="${2:?--master needs a value}"; shift 2 ;;
    --output) out="${2:?--output needs a value}"; shift 2 ;;
    --rounds) rounds="${2:?--rounds needs a value}"; shift 2 ;;
    --posttrain) posttrain=1; shift ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

require_java17
if ! ls "$root"/data-pipeline/target/data-pipeline-*-job.jar "$root"/distributed-trainer/target/distributed-trainer-*-job.jar > /dev/null 2>&1; then
  echo "demo: building the job jars (mvn package -DskipTests, once)"
  (cd "$root" && mvn -q -B package -DskipTests)
fi
echo "demo: Spark runtime $("$here/install-spark.sh" 2> /dev/null | tail -n 1)"

step() { echo; echo "=== demo: $* ==="; }
spark=(--master "$master")
if ((posttrain)) && [[ -f "$out/run/_SUCCESS" ]]; then
  echo "demo: the pretrained model $out/run is complete; post-training it"
  exec "$here/demo-posttrain.sh" "$master" "$out"
fi

step "1/6 preprocess: WARC/WET -> extract -> language -> quality -> PII -> dedup -> documents"
"$here/preprocess.sh" "${spark[@]}" -- --input "$root/data/sample" --output "$out/preprocess"

step "2/6 train a byte-level BPE tokenizer (vocab 1024) on the documents"
"$here/train-tokenizer.sh" "${spark[@]}" -- --input "$out/preprocess/documents" --vocab-size 1024 \
  --output "$out/bpe"

step "3/6 tokenize: documents -> tokens/train, tokens/val"
"$here/tokenize.sh" "${spark[@]}" -- --input "$out/preprocess/documents" --tokenizer "$out/bpe" \
  --output "$out/data"

step "4/6 pretrain a tiny GPT by parameter averaging over 2 workers"
"$here/pretrain.sh" "${spark[@]}" -- --data "$out/data/tokens" --output "$out/run" --workers 2 \
  --n-layer 2 --n-head 2 --n-embd 64 --block-size 64 --batch-size 8 --local-steps 10 \
  --max-rounds "$rounds" --warmup 20 --lr 3e-3 --eval-every 5 --checkpoint-every 10

step "5/6 sample from the trained model"
trainer_jar="$(job_jar distributed-trainer)"
"$here/submit.sh" --master "local[1]" --class io.sparkgpt.model.cli.GptMain "$trainer_jar" sample \
  --checkpoint "$out/run/model/model.ckpt" --tokenizer "$out/data/tokenizer" --prompt "The " \
  --max-tokens 120 --temperature 0.8 --top-k 40 --seed 7

step "6/6 inspect the token shards"
"$here/inspect.sh" "${spark[@]}" -- --input "$out/data/tokens/train" --rows 2 --truncate 80

echo
echo "demo: done. Outputs under $out: preprocess/ (documents, excluded, errors, stats.json), bpe/ (the trained"
echo "      tokenizer), data/ (tokens/train, tokens/val, tokenizer/), run/ (metrics.jsonl, loss.png, checkpoints/, model/)"
if ((posttrain)); then
  exec "$here/demo-posttrain.sh" "$master" "$out"
fi
