# Shared by local-cluster.sh and submit.sh (sourced, not run). Keep it free of side effects.

# Spark on Java 17 needs these module flags on every JVM: daemons, driver, executors (DESIGN.md).
SPARK_JAVA17_FLAGS="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"

SPARKGPT_DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# die MESSAGE: one line on stderr, exit code 2 (a problem the user can fix).
die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

java_bin() {
  if [[ -n "${JAVA_HOME:-}" ]]; then
    echo "$JAVA_HOME/bin/java"
  else
    command -v java || true
  fi
}

# Exits with one line unless the java that Spark will run is a Java 17.
require_java17() {
  local j v major
  j="$(java_bin)"
  if [[ -z "$j" || ! -x "$j" ]]; then
    die "no java found${JAVA_HOME:+ at JAVA_HOME=$JAVA_HOME} (install Java 17 or set JAVA_HOME)"
  fi
  v="$("$j" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
  major="${v%%.*}"
  [[ "$major" == 1 ]] && major="$(echo "$v" | cut -d. -f2)"
  if [[ "$major" != 17 ]]; then
    die "Spark here needs Java 17, but $j is Java ${v:-(unknown version)} (set JAVA_HOME to a Java 17)"
  fi
}

# The Spark home (installs the runtime quietly on first use; its messages only show when it fails).
spark_home() {
  local out
  if ! out="$("$SPARKGPT_DEPLOY_DIR/install-spark.sh" 2>&1)"; then
    echo "$out" >&2
    exit 2
  fi
  echo "$out" | tail -n 1
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
  timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2> /dev/null
}

# http_get HOST PORT PATH: the body of a plain HTTP GET (no curl needed on a bare machine).
http_get() {
  timeout 5 bash -c "exec 3<>/dev/tcp/$1/$2 && printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' '$3' '$1:$2' >&3 && cat <&3" 2> /dev/null \
    | sed '1,/^\r\{0,1\}$/d'
}
