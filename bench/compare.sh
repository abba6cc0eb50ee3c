#!/usr/bin/env bash
# Runs mambaad's kernel benchmark and PyTorch's on the same shapes, one right
# after the other on the same machine, and prints the side-by-side table used
# in BENCHMARKS.md. Needs Debian's python3-torch with OpenBLAS behind it:
#   apt-get install python3-torch libopenblas0-pthread
# (without OpenBLAS, Debian's torch falls back to the reference BLAS, about
# 6 GFLOP/s). PYTHON overrides the interpreter. Usage: bash bench/compare.sh [threads]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/mambaad" ./cmd/mambaad
GOMAXPROCS=$threads "$tmp/mambaad" bench kernels --json > "$tmp/go.json"
"${PYTHON:-/usr/bin/python3}" bench/torch_kernels.py --threads "$threads" > "$tmp/torch.json"
"${PYTHON:-/usr/bin/python3}" bench/compare.py "$tmp/go.json" "$tmp/torch.json"
