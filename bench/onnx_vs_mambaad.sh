#!/usr/bin/env bash
# ONNX Runtime (CPU) on the model `mambaad export` writes vs mambaad's own
# inference: same checkpoint, same images, same thread count, batch 1 and 8,
# by default the reference configuration (ResNet34, 256², full decoder,
# Hilbert scan, 8 directions) with random weights. Prints a Markdown table
# (images/s each, the ratio, and the parity of the two outputs) for
# BENCHMARKS.md. Run it on a quiet machine: it takes a few minutes.
#
#   bash bench/onnx_vs_mambaad.sh                              # the reference configuration
#   bash bench/onnx_vs_mambaad.sh --checkpoint runs/x/model.ckpt
#   THREADS=2 bash bench/onnx_vs_mambaad.sh --batches 1,8 --repeat 5
#   bash bench/onnx_vs_mambaad.sh --size 128 --backbone resnet18 --repeat 2   # a quick smoke run
#
# Needs Go, node and npm (apt-get install nodejs npm); ONNX Runtime for Node
# is installed into $MAMBAAD_ORT_DIR (default ~/.cache/mambaad/ort) on first
# use by tools/ort/install.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ort=$(tools/ort/install.sh "${MAMBAAD_ORT_DIR:-}")
threads=${THREADS:-$(nproc)}
exec go run ./bench/onnxbench --ort-dir "$ort" --threads "$threads" "$@"
