#!/usr/bin/env bash
# Installs ONNX Runtime for Node (the npm package onnxruntime-node, which
# ships the CPU runtime inside the package) into DIR, for the export tests
# (MAMBAAD_ORT_DIR=DIR) and bench/onnx_vs_mambaad.sh. Its install script
# only fetches GPU extras (and fails offline), so it is skipped.
#
#   tools/ort/install.sh [DIR]     (default: $MAMBAAD_ORT_DIR, else ~/.cache/mambaad/ort)
#
# Prints DIR. Does nothing when that version is already there.
set -euo pipefail
version=1.30.0
dir=${1:-${MAMBAAD_ORT_DIR:-$HOME/.cache/mambaad/ort}}
pkg="$dir/node_modules/onnxruntime-node/package.json"
if [ -f "$pkg" ] && grep -q "\"version\": \"$version\"" "$pkg"; then
  echo "$dir"
  exit 0
fi
command -v npm >/dev/null || { echo "install.sh: npm not found (apt-get install nodejs npm)" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"
[ -f package.json ] || echo '{"private": true}' >package.json
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "onnxruntime-node@$version" >&2
node -e "require('./node_modules/onnxruntime-node')" >&2
echo "$dir"
