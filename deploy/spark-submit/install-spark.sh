#!/usr/bin/env bash
# Makes a Spark 3.5 runtime available and prints its home on the LAST line of output.
#
#   deploy/spark-submit/install-spark.sh            # progress on stderr, the Spark home on stdout
#   SPARK_HOME=/opt/spark deploy/spark-submit/install-spark.sh
#
# - SPARK_HOME set and holding a Spark 3.5 for Scala 2.12 (a distribution you installed): used as it is.
# - Otherwise a runtime for Spark 3.5.7 is assembled from Maven Central into
#   ${SPARK_HOME:-$HOME/.cache/sparkgpt/spark-3.5.7}: jars/ (`mvn dependency:copy-dependencies` of
#   runtime/pom.xml: spark-core, spark-sql, spark-mllib, hadoop-aws, aws-java-sdk-bundle), bin/spark-submit and
#   bin/spark-class (the same launcher protocol as a distribution's), conf/log4j2.properties.
# Idempotent: a second run only checks a marker and prints the home. Exit 2 with one line when it cannot work
# (no java or maven, a SPARK_HOME that holds something else).
set -euo pipefail

SPARK_VERSION=3.5.7
SCALA_BINARY=2.12
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUNTIME_POM="$HERE/runtime/pom.xml"

die() { echo "install-spark.sh: $*" >&2; exit 2; }
say() { echo "install-spark.sh: $*" >&2; }

home="${SPARK_HOME:-$HOME/.cache/sparkgpt/spark-$SPARK_VERSION}"
home="${home%/}"
marker="$home/.sparkgpt-runtime"
# the marker names what was assembled: a changed runtime pom means new jars. bin/ and conf/ are rewritten (only
# where they differ) on every run, so that a change to them never replaces the jars under a running cluster.
stamp="spark-$SPARK_VERSION scala-$SCALA_BINARY pom-$(cksum < "$RUNTIME_POM" | cut -d' ' -f1)"
parent="$(dirname "$home")"
mkdir -p "$parent"
# one assembler at a time (two test JVMs may call this at once)
if command -v flock > /dev/null && [[ -w "$parent" ]]; then
  exec 9> "$parent/.install-spark.lock"
  flock 9
fi

# put FILE: stdin into FILE, replaced atomically and only when the content differs
put() {
  local tmp
  tmp="$(mktemp "$1.XXXXXX")"
  cat > "$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else chmod 644 "$tmp"; mv -f "$tmp" "$1"; fi
}

write_files() {
  local dir="$1"
  mkdir -p "$dir/bin" "$dir/conf" "$dir/sbin"

# bin/spark-class: what a distribution's spark-class does. org.apache.spark.launcher.Main builds the real java
# command line (class path, --driver-memory, spark.driver.extraJavaOptions, ...) and prints it NUL-separated;
# anything it prints before a lone NUL line is a message for the user.
put "$dir/bin/spark-class" <<'SH'
#!/usr/bin/env bash
# Runs a Spark class the way a Spark distribution's bin/spark-class does (assembled by sparkgpt install-spark.sh).
export SPARK_HOME="${SPARK_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
export SPARK_SCALA_VERSION="${SPARK_SCALA_VERSION:-2.12}"
export SPARK_CONF_DIR="${SPARK_CONF_DIR:-$SPARK_HOME/conf}"
if [[ -f "$SPARK_CONF_DIR/spark-env.sh" ]]; then
  set -a; . "$SPARK_CONF_DIR/spark-env.sh"; set +a
fi
if [[ -n "${JAVA_HOME:-}" ]]; then RUNNER="$JAVA_HOME/bin/java"; else RUNNER="java"; fi
build_command() {
  "$RUNNER" -Xmx128m $SPARK_LAUNCHER_OPTS -cp "$SPARK_HOME/jars/*" org.apache.spark.launcher.Main "$@"
  printf "%d\0" $?
}
set +o posix
CMD=()
DELIM=$'\n'
STARTED=false
while IFS= read -d "$DELIM" -r ARG; do
  if [[ "$STARTED" == true ]]; then
    CMD+=("$ARG")
  elif [[ "$ARG" == $'\0' ]]; then
    DELIM=''
    STARTED=true
  elif [[ -n "$ARG" ]]; then
    echo "$ARG"
  fi
done < <(build_command "$@")
COUNT=${#CMD[@]}
LAST=$((COUNT - 1))
LAUNCHER_EXIT_CODE=${CMD[$LAST]:-1}
if ! [[ "$LAUNCHER_EXIT_CODE" =~ ^[0-9]+$ ]]; then
  echo "${CMD[@]}" | head -n-1 1>&2
  exit 1
fi
if [[ "$LAUNCHER_EXIT_CODE" != 0 ]]; then
  exit "$LAUNCHER_EXIT_CODE"
fi
exec "${CMD[@]:0:$LAST}"
SH

put "$dir/bin/spark-submit" <<'SH'
#!/usr/bin/env bash
# spark-submit of a runtime assembled by sparkgpt install-spark.sh (same as a distribution's).
export SPARK_HOME="${SPARK_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
exec "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.SparkSubmit "$@"
SH

put "$dir/sbin/README" <<'TXT'
The standalone daemons (Master, Worker) of this runtime are started and stopped by
deploy/spark-submit/local-cluster.sh of the sparkgpt repository (start|stop|status), not by sbin scripts.
TXT

# Quiet by default: warnings, this project's messages, plus the lines that say where a job went (the cluster-mode
# submission client's driver state) and what the standalone daemons do (their logs), on stderr as a distribution's
# template does.
put "$dir/conf/log4j2.properties" <<'PROPS'
rootLogger.level = warn
rootLogger.appenderRef.stdout.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
# this project's own messages (resume decisions, what a job skips) at INFO; its progress lines go to stderr anyway
logger.sparkgpt.name = io.sparkgpt
logger.sparkgpt.level = info
logger.client.name = org.apache.spark.deploy.ClientEndpoint
logger.client.level = info
logger.master.name = org.apache.spark.deploy.master
logger.master.level = info
logger.worker.name = org.apache.spark.deploy.worker
logger.worker.level = info
# noisy and harmless on a laptop
logger.nativecode.name = org.apache.hadoop.util.NativeCodeLoader
logger.nativecode.level = error
logger.metrics.name = org.apache.hadoop.metrics2
logger.metrics.level = error
PROPS

echo "Spark $SPARK_VERSION (Scala $SCALA_BINARY), assembled by sparkgpt install-spark.sh from Maven Central" | put "$dir/RELEASE"
  chmod 755 "$dir/bin/spark-class" "$dir/bin/spark-submit"
}

# (markers of earlier versions of this script carry more words after the stamp: same jars)
if [[ -f "$marker" && ( "$(cat "$marker")" == "$stamp" || "$(cat "$marker")" == "$stamp "* ) ]]; then
  write_files "$home"
  echo "$home"
  exit 0
fi

# A Spark someone installed (not assembled by us): use it if it is a 3.5 for Scala 2.12, refuse anything else.
if [[ -d "$home/jars" && ! -f "$marker" ]]; then
  shopt -s nullglob
  cores=("$home"/jars/spark-core_*.jar)
  shopt -u nullglob
  if ((${#cores[@]} > 0)); then
    core="$(basename "${cores[0]}")"
    if [[ "$core" == spark-core_${SCALA_BINARY}-3.5.*.jar ]]; then
      [[ -x "$home/bin/spark-submit" ]] || die "$home holds $core but no executable bin/spark-submit"
      echo "$home"
      exit 0
    fi
    die "SPARK_HOME=$home holds $core; this project needs Spark 3.5 for Scala $SCALA_BINARY (unset SPARK_HOME to assemble one under ~/.cache/sparkgpt)"
  fi
fi
if [[ -e "$home" && ! -f "$marker" && -n "$(ls -A "$home" 2>/dev/null)" ]]; then
  die "$home exists, is not empty and holds no Spark (jars/spark-core_*.jar): refusing to write into it"
fi

command -v java > /dev/null || [[ -n "${JAVA_HOME:-}" ]] || die "no java on the PATH (install Java 17 or set JAVA_HOME)"
command -v mvn > /dev/null || die "no mvn on the PATH (Maven assembles the Spark runtime from Maven Central)"

say "assembling Spark $SPARK_VERSION (Scala $SCALA_BINARY) from Maven Central into $home"
started=$(date +%s)
parent="$(dirname "$home")"
mkdir -p "$parent"
stage="$(mktemp -d "$parent/.spark-assembly.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

copy_jars() {
  mvn -B -q "$@" -f "$RUNTIME_POM" dependency:copy-dependencies -DoutputDirectory="$stage/jars" >&2
}
# offline first (fast, works on a prefetched ~/.m2 without network), then online
if ! copy_jars -o 2> /dev/null; then
  copy_jars || die "mvn dependency:copy-dependencies of $RUNTIME_POM failed (see above)"
fi
ls "$stage/jars"/spark-core_${SCALA_BINARY}-${SPARK_VERSION}.jar > /dev/null 2>&1 \
  || die "the assembly holds no spark-core_${SCALA_BINARY}-${SPARK_VERSION}.jar"

write_files "$stage"
echo "$stamp" > "$stage/.sparkgpt-runtime"

# move into place: a half-finished assembly is never taken for a runtime
if [[ -e "$home" ]]; then
  rm -rf "$home.old.$$"
  mv "$home" "$home.old.$$"
fi
chmod 755 "$stage"
mv "$stage" "$home"
trap - EXIT
rm -rf "$home.old.$$"
say "assembled $(ls "$home/jars" | wc -l) jars, $(du -sh "$home" | cut -f1), in $(($(date +%s) - started)) s"
echo "$home"
