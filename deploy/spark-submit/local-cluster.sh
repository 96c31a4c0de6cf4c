#!/usr/bin/env bash
# A real Spark standalone cluster on this machine: one Master and N Workers, all on 127.0.0.1.
#
#   deploy/spark-submit/local-cluster.sh start [--workers N] [--cores C] [--memory M]   (default 2 x 1 core x 1g)
#   deploy/spark-submit/local-cluster.sh status
#   deploy/spark-submit/local-cluster.sh stop
#
# Ports: Master SPARK_MASTER_PORT (7077), its web UI SPARK_MASTER_WEBUI_PORT (8080); worker i (1..N) listens on
# SPARK_WORKER_PORT+i-1 and SPARK_WORKER_WEBUI_PORT+i-1 when those are set, else on free ports.
# Files: ${SPARKGPT_CLUSTER_DIR:-$HOME/.cache/sparkgpt/cluster}/{logs,pids,work,cluster.env}; worker i's apps and
# cluster-mode drivers run (and write their stdout/stderr) under work/worker-i/.
# `start` returns when the master reports the N workers ALIVE (within SPARKGPT_CLUSTER_START_TIMEOUT, 300 s) and
# prints the master URL on its last line.
# `stop` ends only the processes this script started (and the executors/drivers they launched) and waits for them.
# `status` prints what runs; exit 0 when the cluster is up, 3 when it is not.
# Exit 2 with one line: a port in use, no java, a java other than 17, a cluster of this folder already running.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

usage() {
  echo "usage: $(basename "$0") start|stop|status [--workers N] [--cores C] [--memory M]" >&2
  exit 2
}

(($# >= 1)) || usage
action="$1"
shift
workers=2
cores=1
memory=1g
while (($# > 0)); do
  case "$1" in
    --workers) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--workers needs a positive number"; workers="$2"; shift 2 ;;
    --cores) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*$ ]] || die "--cores needs a positive number"; cores="$2"; shift 2 ;;
    --memory) [[ $# -ge 2 && "$2" =~ ^[1-9][0-9]*[mMgG]$ ]] || die "--memory needs a size like 512m or 1g"; memory="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
done

dir="${SPARKGPT_CLUSTER_DIR:-$HOME/.cache/sparkgpt/cluster}"
dir="${dir%/}"
pids="$dir/pids"
logs="$dir/logs"
host=127.0.0.1
daemon_xmx="${SPARKGPT_DAEMON_XMX:-512m}"
start_timeout="${SPARKGPT_CLUSTER_START_TIMEOUT:-300}"

alive() { [[ -n "$1" ]] && kill -0 "$1" 2> /dev/null; }

# pid of a daemon we started, only if that process is still the Spark daemon (pids get reused)
daemon_pid() {
  local f="$pids/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f")"
  alive "$pid" || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2> /dev/null | grep -q "org.apache.spark.deploy" || return 1
  echo "$pid"
}

started_daemons() {
  local f
  shopt -s nullglob
  for f in "$pids"/worker-*.pid "$pids"/master.pi[d]; do  # [d]: a glob, so that nullglob drops it when absent
    basename "$f" .pid
  done
  shopt -u nullglob
}

# all descendants of the given pids (executors and drivers a worker launched), from /proc
descendants() {
  local table frontier next p
  table="$(awk '/^Pid:/ {p = $2} /^PPid:/ {print p, $2}' /proc/[0-9]*/status 2> /dev/null || true)"
  frontier="$*"
  while [[ -n "$frontier" ]]; do
    next=""
    for p in $frontier; do
      next="$next $(echo "$table" | awk -v pp="$p" '$2 == pp {print $1}' | tr '\n' ' ')"
    done
    next="$(echo $next)"
    [[ -n "$next" ]] && echo "$next"
    frontier="$next"
  done | tr ' ' '\n' | sed '/^$/d' | sort -un
}

read_env() {
  MASTER_URL=""
  MASTER_WEBUI_PORT=""
  if [[ -f "$dir/cluster.env" ]]; then
    . "$dir/cluster.env"
  fi
}

alive_workers() { # UI port -> count of ALIVE workers the master reports
  http_get "$host" "$1" /json/ | tr -d ' \n' | grep -o '"aliveworkers":[0-9]*' | cut -d: -f2 || true
}

do_status() {
  read_env
  local name pid any=0 up=1 n
  for name in $(started_daemons); do
    if pid="$(daemon_pid "$name")"; then
      echo "$name: running, pid $pid"
      any=1
    else
      echo "$name: not running (stale pid file $pids/$name.pid)"
      [[ "$name" == master ]] && up=0
    fi
  done
  if ((any == 0)); then
    echo "no cluster running from $dir"
    return 3
  fi
  if ((up == 1)) && [[ -n "$MASTER_WEBUI_PORT" ]]; then
    n="$(alive_workers "$MASTER_WEBUI_PORT")"
    echo "master $MASTER_URL, web UI http://$host:$MASTER_WEBUI_PORT, ${n:-?} worker(s) ALIVE"
    echo "logs: $logs"
    return 0
  fi
  return 3
}

do_stop() {
  local name pid targets="" all left stopped=""
  for name in $(started_daemons); do
    if pid="$(daemon_pid "$name")"; then
      targets="$targets $pid"
      stopped="$stopped $name($pid)"
    fi
  done
  if [[ -z "$targets" ]]; then
    rm -f "$pids"/*.pid "$dir/cluster.env"
    echo "no cluster running from $dir"
    return 0
  fi
  all="$(echo $targets $(descendants $targets))"
  # TERM to the daemons: workers end their executors and drivers themselves; what is left gets KILL after 30 s
  for pid in $targets; do kill -TERM "$pid" 2> /dev/null || true; done
  local deadline=$((SECONDS + 30))
  while :; do
    left=""
    for pid in $all; do alive "$pid" && left="$left $pid"; done
    [[ -z "$left" ]] && break
    if ((SECONDS >= deadline)); then
      echo "$(basename "$0"): still running after 30 s, killing:$left" >&2
      for pid in $left; do kill -KILL "$pid" 2> /dev/null || true; done
      sleep 1
      left=""
      for pid in $all; do alive "$pid" && left="$left $pid"; done
      [[ -n "$left" ]] && { echo "$(basename "$0"): could not stop:$left" >&2; exit 1; }
      break
    fi
    sleep 0.5
  done
  rm -f "$pids"/*.pid "$dir/cluster.env"
  echo "stopped:$stopped"
}

require_free() { # port what
  if port_open "$host" "$1"; then
    die "port $1 ($2) on $host is in use: stop what holds it or set $3 to a free port"
  fi
}

launch() { # name main-class args...
  local name="$1"
  shift
  (
    cd "$dir/work"
    exec nohup "$JAVA" -Xmx"$daemon_xmx" $SPARK_JAVA17_FLAGS -Dsparkgpt.cluster.dir="$dir" \
      -cp "$SPARK_HOME/conf:$SPARK_HOME/jars/*" "$@"
  ) >> "$logs/$name.out" 2>&1 < /dev/null &
  echo $! > "$pids/$name.pid"
}

start_failed() {
  local name
  echo "$(basename "$0"): $1; logs under $logs:" >&2
  for name in $(started_daemons); do
    echo "--- $logs/$name.out (last lines)" >&2
    tail -n 5 "$logs/$name.out" >&2 2> /dev/null || true
  done
  do_stop > /dev/null 2>&1 || true
  exit 1
}

do_start() {
  require_java17
  JAVA="$(java_bin)"
  SPARK_HOME="$(spark_home)"
  export SPARK_HOME SPARK_SCALA_VERSION=2.12 SPARK_LOCAL_IP="$host" SPARK_CONF_DIR="${SPARK_CONF_DIR:-$SPARK_HOME/conf}"
  mkdir -p "$pids" "$logs" "$dir/work"

  local name running=""
  for name in $(started_daemons); do
    daemon_pid "$name" > /dev/null && running="$running $name"
  done
  [[ -z "$running" ]] || die "a cluster started from $dir is already running ($(echo $running)): run '$(basename "$0") stop' first"
  rm -f "$pids"/*.pid

  local mport="${SPARK_MASTER_PORT:-7077}" mui="${SPARK_MASTER_WEBUI_PORT:-8080}" i wport wui
  require_free "$mport" "master" SPARK_MASTER_PORT
  require_free "$mui" "master web UI" SPARK_MASTER_WEBUI_PORT
  for ((i = 1; i <= workers; i++)); do
    if [[ -n "${SPARK_WORKER_PORT:-}" ]]; then require_free $((SPARK_WORKER_PORT + i - 1)) "worker $i" SPARK_WORKER_PORT; fi
    if [[ -n "${SPARK_WORKER_WEBUI_PORT:-}" ]]; then require_free $((SPARK_WORKER_WEBUI_PORT + i - 1)) "worker $i web UI" SPARK_WORKER_WEBUI_PORT; fi
  done

  local url="spark://$host:$mport"
  for f in "$logs"/*.out; do [[ -f "$f" ]] && mv -f "$f" "$f.previous"; done
  launch master org.apache.spark.deploy.master.Master --host "$host" --port "$mport" --webui-port "$mui"
  local deadline=$((SECONDS + start_timeout))
  until port_open "$host" "$mport"; do
    daemon_pid master > /dev/null || start_failed "the master exited"
    ((SECONDS < deadline)) || start_failed "the master did not listen on $url within $start_timeout s"
    sleep 0.5
  done
  for ((i = 1; i <= workers; i++)); do
    wport=0; wui=0
    [[ -n "${SPARK_WORKER_PORT:-}" ]] && wport=$((SPARK_WORKER_PORT + i - 1))
    [[ -n "${SPARK_WORKER_WEBUI_PORT:-}" ]] && wui=$((SPARK_WORKER_WEBUI_PORT + i - 1))
    mkdir -p "$dir/work/worker-$i"
    launch "worker-$i" org.apache.spark.deploy.worker.Worker --host "$host" --port "$wport" --webui-port "$wui" \
      --cores "$cores" --memory "$memory" --work-dir "$dir/work/worker-$i" "$url"
  done
  cat > "$dir/cluster.env" <<ENV
MASTER_URL=$url
MASTER_PORT=$mport
MASTER_WEBUI_PORT=$mui
WORKERS=$workers
SPARK_HOME=$SPARK_HOME
ENV
  local n=0
  while :; do
    for name in $(started_daemons); do
      daemon_pid "$name" > /dev/null || start_failed "$name exited during start"
    done
    n="$(alive_workers "$mui")"
    [[ "${n:-0}" -ge "$workers" ]] && break
    ((SECONDS < deadline)) || start_failed "only ${n:-0} of $workers workers ALIVE after $start_timeout s"
    sleep 0.5
  done
  echo "master $url (web UI http://$host:$mui), $workers worker(s) x $cores core(s) x $memory ALIVE; logs: $logs"
  echo "$url"
}

case "$action" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
  -h | --help) sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//' ;;
  *) usage ;;
esac
