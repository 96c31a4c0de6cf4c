# Shared by local-cluster.sh and submit.sh (sourced, not run). Keep it free of side effects.

# Spark on Java 17 needs these module flags on every JVM: daemons, driver, executors (DESIGN.md).
SPARK_JAVA17_FLAGS="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false"
# The training jobs' drivers and executors also get the JDK's Vector API, which the model's training kernels use
# (without it they fall back to plain loops: slower, and sums may round differently). Only there: the JVM then
# prints "WARNING: Using incubator modules" on stderr, which the other jobs' one-line errors should not carry.
VECTOR_API_FLAG="--add-modules=jdk.incubator.vector"

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

# job_jar MODULE: the shaded job jar of a module: $SPARKGPT_JARS/<module>-*-job.jar when SPARKGPT_JARS is set,
# else <repo>/<module>/target/<module>-*-job.jar, built (one line says so) when it is missing.
job_jar() {
  local module="$1" root jar
  root="$(cd "$SPARKGPT_DEPLOY_DIR/../.." && pwd)"
  shopt -s nullglob
  local found=()
  if [[ -n "${SPARKGPT_JARS:-}" ]]; then
    found=("$SPARKGPT_JARS"/"$module"-*-job.jar)
    shopt -u nullglob
    ((${#found[@]} > 0)) || die "no $module-*-job.jar in SPARKGPT_JARS=$SPARKGPT_JARS"
    echo "${found[0]}"
    return
  fi
  found=("$root/$module"/target/"$module"-*-job.jar)
  shopt -u nullglob
  if ((${#found[@]} == 0)); then
    echo "$(basename "$0"): building the $module job jar (mvn package -pl $module -am, once)" >&2
    command -v mvn > /dev/null || die "no $module job jar and no mvn to build it (set SPARKGPT_JARS to a folder holding $module-*-job.jar)"
    (cd "$root" && { mvn -q -B -o package -DskipTests -pl "$module" -am > /dev/null 2>&1 \
      || mvn -q -B package -DskipTests -pl "$module" -am >&2; }) \
      || die "building $module failed (run: mvn package -DskipTests -pl $module -am)"
    shopt -s nullglob
    found=("$root/$module"/target/"$module"-*-job.jar)
    shopt -u nullglob
    ((${#found[@]} > 0)) || die "the build made no $module/target/$module-*-job.jar"
  fi
  echo "${found[0]}"
}

# run_job MODULE CLASS ARGS...: what every job script does. ARGS are `[spark options] -- [job args]`; without
# `--` all of ARGS go to the job. Spark options: --master (default local[*]), --deploy-mode, --conf, ...
# A script may set the array JOB_SPARK_DEFAULTS before calling it: those spark options come first, so the
# user's own win.
run_job() {
  local module="$1" class="$2" jar
  shift 2
  local spark=() job=() seen=0 a
  for a in "$@"; do
    if ((seen == 0)) && [[ "$a" == "--" ]]; then
      seen=1
      continue
    fi
    if ((seen == 1)); then job+=("$a"); else spark+=("$a"); fi
  done
  if ((seen == 0)); then
    job=("${spark[@]}")
    spark=()
  fi
  jar="$(job_jar "$module")"
  exec "$SPARKGPT_DEPLOY_DIR/submit.sh" ${JOB_SPARK_DEFAULTS[@]+"${JOB_SPARK_DEFAULTS[@]}"} \
    ${spark[@]+"${spark[@]}"} --class "$class" "$jar" ${job[@]+"${job[@]}"}
}

# run_trainer_job CLASS ARGS...: run_job for distributed-trainer's training jobs, with their executor defaults
# (yours, given before `--`, win): 1 GiB heap, ND4J/JavaCPP off-heap caps, 4 task attempts, and
# OMP_NUM_THREADS = spark.executor.cores (1 unless you say otherwise), so a worker's BLAS threads match its cores;
# OPENBLAS_CORETYPE, when set where you submit, goes to the executors too (YARN and Kubernetes executors do not inherit
# your shell): the OpenBLAS bundled with ND4J (0.3.19) does not know CPUs newer than it (AMD Zen 4/5, recent Xeons)
# and falls back to SSE kernels there; SkylakeX (AVX-512) or Haswell (AVX2) runs the products 2-3x faster.
run_trainer_job() {
  local class="$1"
  shift
  local cores=1 prev="" a
  if [[ " $* " == *" -- "* ]]; then
    for a in "$@"; do
      [[ "$a" == "--" ]] && break
      case "$prev|$a" in
        --executor-cores\|*) cores="$a" ;;
        *\|spark.executor.cores=*) cores="${a#*=}" ;;
      esac
      prev="$a"
    done
  fi
  local offheap="-Dorg.bytedeco.javacpp.maxbytes=${SPARKGPT_MAXBYTES:-2g} -Dorg.bytedeco.javacpp.maxphysicalbytes=${SPARKGPT_MAXPHYSICALBYTES:-4g}"
  JOB_SPARK_DEFAULTS=(
    --conf spark.executor.memory=1g
    --conf spark.executor.cores="$cores"
    --conf spark.executorEnv.OMP_NUM_THREADS="$cores"
    ${OPENBLAS_CORETYPE:+--conf spark.executorEnv.OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE}
    --conf spark.task.maxFailures=4
    --conf "spark.executor.extraJavaOptions=$offheap $VECTOR_API_FLAG"
    --conf "spark.driver.extraJavaOptions=$offheap $VECTOR_API_FLAG -Djava.awt.headless=true"
  )
  run_job distributed-trainer "$class" "$@"
}
