#!/usr/bin/env bash
# spark-submit of this project's Spark runtime, with what Spark on Java 17 needs already set.
#
#   deploy/spark-submit/submit.sh [spark-submit options] --class <JobClass> <job jar> [job args]
#
# - The runtime is $SPARK_HOME when that holds a Spark 3.5, else the one install-spark.sh assembles (on first use).
# - Java 17 module flags are added to spark.driver.extraJavaOptions and spark.executor.extraJavaOptions (merged
#   with any you pass), so the driver and executors start in client AND cluster deploy mode.
# - --master defaults to local[*]; any --master (spark://host:port, yarn, k8s://https://host:port, local[N]),
#   --deploy-mode and --conf is passed through. SPARK_LOCAL_IP defaults to 127.0.0.1.
# - A spark:// master that does not answer: one line, exit 2, before anything is submitted.
# - Cluster deploy mode on a standalone master waits for the driver to end (spark.standalone.submit.waitAppCompletion)
#   and exits 1 when the driver FAILED, was KILLED or ended in ERROR; the driver's own output is in the worker's
#   work dir (work/worker-i/driver-*/stdout, stderr for local-cluster.sh).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"

if (($# == 0)) || [[ "$1" == "--help" || "$1" == "-h" ]]; then
  sed -n '2,/^[^#]/{/^#/p}' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi

master=""
deploy_mode=""
driver_opts=""
executor_opts=""
wait_set=0
spark_opts=()
app=()
need_value() { (($1 >= 2)) || die "option $2 needs a value"; }
while (($# > 0)); do
  case "$1" in
    --master) need_value $# "$1"; master="$2"; shift 2 ;;
    --master=*) master="${1#*=}"; shift ;;
    --deploy-mode) need_value $# "$1"; deploy_mode="$2"; shift 2 ;;
    --deploy-mode=*) deploy_mode="${1#*=}"; shift ;;
    --driver-java-options) need_value $# "$1"; driver_opts="$driver_opts $2"; shift 2 ;;
    --conf | -c | --conf=*)
      if [[ "$1" == --conf=* ]]; then kv="${1#*=}"; shift; else need_value $# "$1"; kv="$2"; shift 2; fi
      case "$kv" in
        spark.driver.extraJavaOptions=*) driver_opts="$driver_opts ${kv#*=}" ;;
        spark.executor.extraJavaOptions=*) executor_opts="$executor_opts ${kv#*=}" ;;
        *)
          [[ "$kv" == spark.standalone.submit.waitAppCompletion=* ]] && wait_set=1
          spark_opts+=(--conf "$kv")
          ;;
      esac
      ;;
    --verbose | -v | --supervise | --version) spark_opts+=("$1"); shift ;;
    --*=*) spark_opts+=("$1"); shift ;;
    -*) need_value $# "$1"; spark_opts+=("$1" "$2"); shift 2 ;;
    *) app=("$@"); break ;;
  esac
done
((${#app[@]} > 0)) || die "no job jar given (usage: submit.sh [spark options] --class C <jar> [job args])"
[[ "${app[0]}" == *://* || -f "${app[0]}" ]] || die "job jar ${app[0]} does not exist"
master="${master:-local[*]}"
deploy_mode="${deploy_mode:-client}"

require_java17

# A standalone master must answer before we submit: otherwise spark-submit retries for minutes, then prints a
# stack trace. spark://h1:p1,h2:p2 (standby masters) is up when any of them answers.
if [[ "$master" == spark://* ]]; then
  up=0
  IFS=',' read -r -a hostports <<< "${master#spark://}"
  for hp in "${hostports[@]}"; do
    h="${hp%:*}"
    p="${hp##*:}"
    [[ "$p" == "$hp" || -z "$p" ]] && p=7077
    if port_open "$h" "$p"; then up=1; break; fi
  done
  ((up == 1)) || die "no Spark master answers at $master (start one: deploy/spark-submit/local-cluster.sh start)"
fi

export SPARK_HOME
SPARK_HOME="$(spark_home)"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
export SPARK_SCALA_VERSION="${SPARK_SCALA_VERSION:-2.12}"

cmd=("$SPARK_HOME/bin/spark-submit" --master "$master" --deploy-mode "$deploy_mode"
  --conf "spark.driver.extraJavaOptions=$(echo $SPARK_JAVA17_FLAGS $driver_opts)"
  --conf "spark.executor.extraJavaOptions=$(echo $SPARK_JAVA17_FLAGS $executor_opts)")

if [[ "$master" == spark://* && "$deploy_mode" == cluster ]]; then
  ((wait_set == 1)) || spark_opts+=(--conf spark.standalone.submit.waitAppCompletion=true)
  log="$(mktemp "${TMPDIR:-/tmp}/sparkgpt-submit.XXXXXX")"
  trap 'rm -f "$log"' EXIT
  set +e
  "${cmd[@]}" "${spark_opts[@]}" "${app[@]}" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  ((rc == 0)) || exit "$rc"
  state="$(grep -o 'State of driver [^ ]* is [A-Z]*' "$log" | tail -n 1 || true)"
  case "$state" in
    *FAILED | *KILLED | *ERROR)
      echo "submit.sh: ${state#State of } (its stdout/stderr are in the worker's work dir, driver-*/)" >&2
      exit 1
      ;;
  esac
  exit 0
fi
exec "${cmd[@]}" "${spark_opts[@]}" "${app[@]}"
