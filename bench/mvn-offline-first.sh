# Sourced by the bench scripts: bench_mvn ARGS runs `mvn -q -B -o ARGS` (offline: fast, no network) and, when that
# fails (a fresh machine whose ~/.m2 lacks a plugin or dependency, e.g. the install plugin), the same online.
bench_mvn() {
  mvn -q -B -o "$@" > /dev/null 2>&1 || mvn -q -B "$@"
}
