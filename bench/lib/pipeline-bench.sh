# Shared by bench/extraction/run.sh and bench/langid/run.sh (sourced; ROOT set by the caller).
# compile_pipeline_bench HERE FILE.java: builds data-pipeline and its tests in the reactor (no install: the modules'
#   own target/classes are on the classpath), compiles FILE.java into HERE/target/classes and prints the classpath
#   to run it with.
# bench_header: the date, host, cores and load line every bench prints first.
compile_pipeline_bench() {
  local here=$1 src=$2
  mkdir -p "$here/target/classes"
  (cd "$ROOT" && mvn -q -B -o test-compile dependency:build-classpath -pl data-pipeline -am \
    -Dmdep.includeScope=test -Dmdep.outputFile="$here/target/classpath.txt" >&2)
  local cp="$ROOT/data-pipeline/target/classes:$ROOT/data-pipeline/target/test-classes"
  cp="$cp:$(cat "$here/target/classpath.txt")"
  javac -nowarn -d "$here/target/classes" -cp "$cp" "$src" 2>&1 | grep -v '^Note:' >&2 || true
  echo "$here/target/classes:$cp"
}

bench_header() {
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(hostname)  cpus: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
}
