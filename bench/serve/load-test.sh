#!/usr/bin/env bash
# Load test of the model server on 127.0.0.1 (bounded in requests and time): 2 replicas behind HAProxy
# (deploy/serve/serve.sh --replicas 2), /v1/completions at 1, 8 and 32 concurrent clients, then the same with
# replica 1 killed (SIGKILL) a third of the way into each run. Prints one JSON line per run, then a Markdown table;
# the last line is the figure: failed requests in the runs with a kill (goal 0).
#
#   bench/serve/load-test.sh [--model work/demo/run] [--tokenizer DIR] [--port 18000] [--requests 160]
#                            [--max-seconds 40] [--max-tokens 32] [--clients "1 8 32"]
#
# The model defaults to the demo's (deploy/spark-submit/demo.sh writes work/demo/run and work/demo/data/tokenizer).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="$ROOT/work/demo/run" tokenizer="" port=18000 requests=160 max_seconds=40 max_tokens=32 clients="1 8 32"
while (($# > 0)); do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --tokenizer) tokenizer="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --max-seconds) max_seconds="$2"; shift 2 ;;
    --max-tokens) max_tokens="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    *) echo "load-test.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -e "$model" ]] || { echo "load-test.sh: no model at $model (run deploy/spark-submit/demo.sh first, or give --model)" >&2; exit 2; }
if [[ -z "$tokenizer" && -d "$ROOT/work/demo/data/tokenizer" && "$model" == "$ROOT/work/demo/run" ]]; then
  tokenizer="$ROOT/work/demo/data/tokenizer"
fi

work="$(mktemp -d /tmp/sparkgpt-load-XXXXXX)"
args=(--model "$model" --replicas 2 --port "$port" --workdir "$work")
[[ -n "$tokenizer" ]] && args+=(--tokenizer "$tokenizer")
SPARKGPT_SERVE_JAVA_OPTS="${SPARKGPT_SERVE_JAVA_OPTS:--Xmx1g}" "$ROOT/deploy/serve/serve.sh" "${args[@]}" \
  -- --max-batch 32 --queue 128 > "$work/serve.log" 2>&1 &
serve_pid=$!
cleanup() { kill -TERM "$serve_pid" 2> /dev/null || true; wait "$serve_pid" 2> /dev/null || true; }
trap cleanup EXIT

health() { timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && printf 'GET /health HTTP/1.0\r\n\r\n' >&3 && cat <&3" 2> /dev/null | grep -q '"ok"'; }
wait_health() {
  for ((t = 0; t < 600; t++)); do health "$1" && return 0; kill -0 "$serve_pid" 2> /dev/null || break; sleep 0.5; done
  echo "load-test.sh: nothing healthy on port $1 (log: $work/serve.log)" >&2; tail -5 "$work/serve.log" >&2; exit 1
}
wait_health "$port"
jar="$(ls "$ROOT"/serving/target/serving-*-server.jar | head -1)"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, model $model"

results=()
run() { # clients kill?
  local extra=()
  [[ "$2" == kill ]] && extra=(--kill-pid-file "$work/replica-1.pid" --kill-after $((requests / 3)))
  local line
  line="$(java -cp "$jar" io.sparkgpt.serving.bench.LoadGen --url "http://127.0.0.1:$port" --clients "$1" \
    --requests "$requests" --max-seconds "$max_seconds" --max-tokens "$max_tokens" "${extra[@]}" || true)"
  echo "$line"
  results+=("$2 $line")
}
for c in $clients; do run "$c" none; done
for c in $clients; do
  wait_health $((port + 1)) # replica 1 back (the supervisor restarts it) before the next kill
  sleep 2                   # and HAProxy's checks have taken it back
  run "$c" kill
done

echo
echo "| replica killed | clients | requests ok | failed | p50 ms | p99 ms | tokens/s | seconds |"
echo "|---|---|---|---|---|---|---|---|"
failed_kill=0
for r in "${results[@]}"; do
  kind="${r%% *}"; j="${r#* }"
  f() { echo "$j" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }
  echo "| $([[ $kind == kill ]] && echo yes || echo no) | $(f clients) | $(f ok) | $(f failed) | $(f p50_ms) | $(f p99_ms) | $(f tokens_per_s) | $(f seconds) |"
  [[ $kind == kill ]] && failed_kill=$((failed_kill + $(f failed)))
done
echo "failed requests in the runs with a replica killed: $failed_kill"
