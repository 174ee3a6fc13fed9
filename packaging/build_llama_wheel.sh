#!/usr/bin/env bash
# Builds llama-cpp-python from its sdist as a *portable* wheel and prints the wheel's path.
#
# Why: a native build (-march=native) crashes on CPUs with AMX (ggml_backend_amx_mul_mat) and would
# not run on users' laptops either. pip's wheel cache does not key on CMAKE_ARGS, so we never let
# pip pick a cached wheel: we build into our own wheelhouse keyed on version + flags.
set -euo pipefail
python=${1:-python3}
version=0.3.36
flags="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
cache=${DEESCAL_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/deescal-trainer/wheels}
house="$cache/llama-cpp-python-$version-portable-avx2"
if ! ls "$house"/llama_cpp_python-"$version"-*.whl >/dev/null 2>&1; then
    echo "Building llama-cpp-python $version (portable, about 6 minutes on 2 cores)..." >&2
    tmp=$(mktemp -d)
    CMAKE_ARGS="$flags" "$python" -m pip wheel --no-cache-dir --no-deps -w "$tmp" \
        "llama-cpp-python==$version" >&2
    mkdir -p "$house"
    mv "$tmp"/llama_cpp_python-*.whl "$house"/
    rm -rf "$tmp"
fi
ls "$house"/llama_cpp_python-"$version"-*.whl | head -n 1
