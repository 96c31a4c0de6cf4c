# Shared by bench/gpt-speed.sh and bench/nanogpt-shakespeare.sh (sourced; ROOT set by the caller).
# build_model_classpath FILE: compiles model (and what it needs) and writes its classpath to FILE. Offline first;
#   a fresh machine lacks plugins that -o cannot fetch, so it falls back to online. Never installs into ~/.m2.
# torch_settings: prints the PyTorch settings to try, one per line: "label|env assignments|torch threads".
# blas_of_python: the BLAS libraries a torch process maps (used by the python peers).
PY=/usr/bin/python3

ensure_torch() {
  if ! $PY -c 'import torch' 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
    echo "installing python3-torch + libopenblas0-pthread (apt)" >&2
    if [ "$(id -u)" = 0 ]; then APT="apt-get"; else APT="sudo apt-get"; fi
    DEBIAN_FRONTEND=noninteractive $APT install -y -q python3-torch libopenblas0-pthread >&2
  fi
}

build_model_classpath() {
  local out=$1
  local args=(-q -B compile dependency:build-classpath -pl model -am -Dmdep.outputFile="$out")
  (cd "$ROOT" && { mvn -o "${args[@]}" >&2 2>/dev/null || mvn "${args[@]}" >&2; })
}

# Debian's OpenMP build of OpenBLAS, unpacked (not installed: the machine's BLAS alternatives stay as they are)
# into bench/.cache, for LD_LIBRARY_PATH of the torch process only. Prints the folder, or nothing if unavailable.
openmp_openblas_dir() {
  local cache="$ROOT/bench/.cache/openblas-openmp"
  local dir="$cache/usr/lib/x86_64-linux-gnu/openblas-openmp"
  if [ ! -e "$dir/libblas.so.3" ]; then
    mkdir -p "$cache"
    (cd "$cache" && apt-get download -q libopenblas0-openmp >/dev/null 2>&1 \
      && dpkg-deb -x libopenblas0-openmp_*.deb "$cache" && rm -f libopenblas0-openmp_*.deb) || true
  fi
  [ -e "$dir/libblas.so.3" ] && echo "$dir"
}

# Settings PyTorch is run at: 1 thread; 2 threads as the old scripts did (OpenMP and the pthread OpenBLAS both at
# 2: the pools fight); 2 OpenMP threads over a one-thread OpenBLAS; 2 threads over Debian's OpenMP OpenBLAS.
torch_settings() {
  local threads=$1
  echo "torch-1t|OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1|1"
  if [ "$threads" -gt 1 ]; then
    echo "torch-${threads}t-pthread-blas-${threads}|OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads|$threads"
    echo "torch-${threads}t-pthread-blas-1|OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1|$threads"
    local omp; omp="$(openmp_openblas_dir)"
    if [ -n "$omp" ]; then
      echo "torch-${threads}t-openmp-blas|OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads LD_LIBRARY_PATH=$omp|$threads"
      # PyTorch's ATen dispatches its own kernels at AVX2 by default even on AVX-512 CPUs (its build has AVX-512
      # kernels too): on such a CPU also try them, as our Vector API kernels use the widest vectors
      if grep -qw avx512f /proc/cpuinfo; then
        echo "torch-${threads}t-openmp-blas-avx512|OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads LD_LIBRARY_PATH=$omp ATEN_CPU_CAPABILITY=avx512|$threads"
      fi
    fi
  fi
}

# Our settings: "label|GPT worker threads|BLAS threads".
our_settings() {
  local threads=$1
  echo "ours-1t|1|1"
  if [ "$threads" -gt 1 ]; then
    echo "ours-${threads}workers|$threads|1"
    echo "ours-1worker-blas-${threads}|1|$threads"
  fi
}

# OpenBLAS kernel choices to try, one env assignment per line ("" = the environment's choice, printed by each run).
# What OpenBLAS picks by itself on this VM's AMD family 26 (Zen 5) CPU: the bundled 0.3.19 (ours) "Barcelona"
# (SSE kernels), Debian's 0.3.21 (PyTorch's) "Cooperlake" (AVX-512); the VM's environment pins both to
# OPENBLAS_CORETYPE=Haswell (AVX2). On a CPU with the AVX-512 subsets OpenBLAS's SkylakeX kernels need, forcing them
# is a second setting for BOTH sides (measured 2026-12-07: one-core sgemm ~100 -> ~180 GFLOP/s of thread CPU time).
blas_core_envs() {
  echo ""
  local f
  for f in avx512f avx512bw avx512dq avx512vl avx512cd; do
    grep -qw "$f" /proc/cpuinfo || return 0
  done
  echo "OPENBLAS_CORETYPE=SkylakeX"
}
