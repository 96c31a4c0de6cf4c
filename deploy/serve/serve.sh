#!/usr/bin/env bash
# Serve a trained GPT over OpenAI's HTTP API: one replica, or N replicas behind HAProxy.
#
#   deploy/serve/serve.sh --model <run dir|model dir|model.ckpt> [--port 8000] [--host 127.0.0.1] [--replicas N]
#                         [--api-key-file F] [--quantize int8] [--tokenizer DIR] [--model-id NAME]
#                         [--workdir DIR] [-- any option of the server, e.g. --max-batch 16 --queue 64]
#
# - --replicas 1 (default): the server itself listens on --host:--port (runs in the foreground).
# - --replicas N > 1: N server processes on 127.0.0.1:(port+1 .. port+N) behind HAProxy on --host:--port, with
#   active health checks (GET /health every 500 ms: a draining or dead replica leaves the pool in about 1 s),
#   l7 retries of a request whose replica refused, reset or died before answering (retry-on conn-failure
#   empty-response response-timeout 503, option redispatch: the retry goes to another replica), and a supervisor
#   that restarts a replica that exits. HAProxy is installed with apt-get when missing (root needed).
# - Files: --workdir (default /tmp/sparkgpt-serve-<port>) holds haproxy.cfg, replica-<i>.log, replica-<i>.pid.
# - SIGTERM/SIGINT stop everything: each replica drains (health 503, running requests finish, then exit).
# - Java options of each replica: SPARKGPT_SERVE_JAVA_OPTS (default -Xmx1g). The server jar:
#   serving/target/serving-*-server.jar (built once when missing) or $SPARKGPT_JARS/serving-*-server.jar.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
. "$ROOT/deploy/spark-submit/_lib.sh"

usage() { sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

model="" port=8000 host=127.0.0.1 replicas=1 keys="" quantize="" tokenizer="" model_id="" workdir=""
extra=()
need() { (($1 >= 2)) || die "option $2 needs a value"; }
while (($# > 0)); do
  case "$1" in
    --model) need $# "$1"; model="$2"; shift 2 ;;
    --port) need $# "$1"; port="$2"; shift 2 ;;
    --host) need $# "$1"; host="$2"; shift 2 ;;
    --replicas) need $# "$1"; replicas="$2"; shift 2 ;;
    --api-key-file) need $# "$1"; keys="$2"; shift 2 ;;
    --quantize) need $# "$1"; quantize="$2"; shift 2 ;;
    --tokenizer) need $# "$1"; tokenizer="$2"; shift 2 ;;
    --model-id) need $# "$1"; model_id="$2"; shift 2 ;;
    --workdir) need $# "$1"; workdir="$2"; shift 2 ;;
    -h | --help) usage ;;
    --) shift; extra=("$@"); break ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ -n "$model" ]] || die "--model is required (a run folder, a folder holding model.ckpt, or the file)"
[[ -e "$model" ]] || die "--model $model: not found"
[[ "$port" =~ ^[0-9]+$ ]] && ((port > 0 && port + replicas < 65536)) || die "--port $port: not a usable port"
[[ "$replicas" =~ ^[0-9]+$ ]] && ((replicas >= 1)) || die "--replicas $replicas: must be a number >= 1"
[[ -z "$keys" || -f "$keys" ]] || die "--api-key-file $keys: not found"
[[ -z "$quantize" || "$quantize" == int8 || "$quantize" == none ]] || die "--quantize $quantize: int8 or none"

# The runnable server jar (built once when missing).
server_jar() {
  local found=()
  shopt -s nullglob
  if [[ -n "${SPARKGPT_JARS:-}" ]]; then
    found=("$SPARKGPT_JARS"/serving-*-server.jar)
  else
    found=("$ROOT"/serving/target/serving-*-server.jar)
    if ((${#found[@]} == 0)); then
      echo "serve.sh: building the server jar (mvn package -pl serving -am, once)" >&2
      command -v mvn > /dev/null || die "no server jar and no mvn to build it"
      (cd "$ROOT" && { mvn -q -B -o package -DskipTests -pl serving -am > /dev/null 2>&1 \
        || mvn -q -B package -DskipTests -pl serving -am >&2; }) || die "building serving failed"
      found=("$ROOT"/serving/target/serving-*-server.jar)
    fi
  fi
  shopt -u nullglob
  ((${#found[@]} > 0)) || die "no serving-*-server.jar found"
  echo "${found[0]}"
}

require_java17
JAVA="$(java_bin)"
JAR="$(server_jar)"
read -r -a JOPTS <<< "${SPARKGPT_SERVE_JAVA_OPTS:--Xmx1g}"
server_args=(--model "$model")
[[ -n "$keys" ]] && server_args+=(--api-key-file "$keys")
[[ -n "$quantize" ]] && server_args+=(--quantize "$quantize")
[[ -n "$tokenizer" ]] && server_args+=(--tokenizer "$tokenizer")
[[ -n "$model_id" ]] && server_args+=(--model-id "$model_id")
server_args+=("${extra[@]}")
JCMD=("$JAVA" "${JOPTS[@]}" --add-modules jdk.incubator.vector -jar "$JAR")

if ((replicas == 1)); then
  exec "${JCMD[@]}" "${server_args[@]}" --host "$host" --port "$port"
fi

# ---------------------------------------------------------------------------- N replicas behind HAProxy
haproxy_bin() { command -v haproxy || { [[ -x /usr/sbin/haproxy ]] && echo /usr/sbin/haproxy; } || true; }
if [[ -z "$(haproxy_bin)" ]]; then
  ((EUID == 0)) || die "haproxy is not installed (apt-get install haproxy, as root)"
  echo "serve.sh: installing haproxy (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -qq haproxy || { apt-get update -qq && apt-get install -y -qq haproxy; }; } > /dev/null 2>&1 \
    || die "apt-get install haproxy failed"
fi
HAPROXY="$(haproxy_bin)"
workdir="${workdir:-/tmp/sparkgpt-serve-$port}"
mkdir -p "$workdir"

declare -a PIDS
start_replica() {
  local i=$1
  "${JCMD[@]}" "${server_args[@]}" --host 127.0.0.1 --port $((port + i)) >> "$workdir/replica-$i.log" 2>&1 &
  PIDS[$i]=$!
  echo "${PIDS[$i]}" > "$workdir/replica-$i.pid"
}

cfg="$workdir/haproxy.cfg"
{
  cat << CFG
# generated by deploy/serve/serve.sh
global
    maxconn 4096

defaults
    mode http
    timeout connect 2s
    timeout client 600s
    timeout server 600s
    timeout queue 30s
    # a request whose replica refused the connection, reset it, died or answered 503 (draining) before sending a
    # response is sent again, to another replica (redispatch); the body is buffered so that it can be resent
    option http-buffer-request
    retries 3
    retry-on conn-failure empty-response response-timeout 503
    option redispatch 1

frontend api
    bind $host:$port
    default_backend replicas

backend replicas
    balance leastconn
    option httpchk GET /health
    http-check expect status 200
    default-server inter 500ms fastinter 250ms fall 2 rise 2
CFG
  for ((i = 1; i <= replicas; i++)); do
    echo "    server replica-$i 127.0.0.1:$((port + i)) check"
  done
} > "$cfg"
"$HAPROXY" -c -q -f "$cfg" || die "haproxy rejects $cfg"

stopping=0
HAPID=""
stop_all() {
  stopping=1
  echo "serve.sh: stopping (replicas drain first)" >&2
  for ((i = 1; i <= replicas; i++)); do kill -TERM "${PIDS[$i]}" 2> /dev/null || true; done
  for ((i = 1; i <= replicas; i++)); do wait "${PIDS[$i]}" 2> /dev/null || true; done
  [[ -n "$HAPID" ]] && kill -TERM "$HAPID" 2> /dev/null && wait "$HAPID" 2> /dev/null || true
  exit 0
}
trap stop_all TERM INT

for ((i = 1; i <= replicas; i++)); do start_replica "$i"; done
for ((i = 1; i <= replicas; i++)); do
  for ((t = 0; ; t++)); do
    [[ "$(http_get 127.0.0.1 $((port + i)) /health)" == *'"ok"'* ]] && break
    kill -0 "${PIDS[$i]}" 2> /dev/null || die "replica $i exited at start: $(tail -n 3 "$workdir/replica-$i.log")"
    ((t < 600)) || die "replica $i did not answer /health in 300 s (log: $workdir/replica-$i.log)"
    sleep 0.5
  done
done
"$HAPROXY" -db -f "$cfg" >> "$workdir/haproxy.log" 2>&1 &
HAPID=$!
echo "$HAPID" > "$workdir/haproxy.pid"
for ((t = 0; t < 100; t++)); do port_open "$host" "$port" && break; sleep 0.1; done
port_open "$host" "$port" || die "haproxy did not open $host:$port (log: $workdir/haproxy.log)"
echo "serve.sh: $replicas replicas behind haproxy on http://$host:$port (files: $workdir)"

# supervise: a replica that exits is started again (HAProxy's checks take it back when /health answers)
while ((stopping == 0)); do
  for ((i = 1; i <= replicas; i++)); do
    if ! kill -0 "${PIDS[$i]}" 2> /dev/null; then
      echo "serve.sh: replica $i (pid ${PIDS[$i]}) exited; starting it again" >&2
      start_replica "$i"
    fi
  done
  kill -0 "$HAPID" 2> /dev/null || die "haproxy exited (log: $workdir/haproxy.log)"
  sleep 1 &
  wait $! || true
done
