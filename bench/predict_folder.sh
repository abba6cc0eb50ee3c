#!/usr/bin/env bash
# `mambaad predict` over a folder of JPEG files, heat maps written, against
# the network alone: does the predict pipeline (decode, resize, network,
# anomaly map, PNG overlays) keep up with the model? Prints the images/s of
#
#   network  the checkpoint configuration's network at batch 8, nothing else
#            (go test -bench 'Predict/method=recon$' ./app/detector: ResNet18,
#            256², the CPU preset, random weights; the time does not depend
#            on them) — the like-for-like reference for a ResNet18 256²
#            checkpoint such as the default;
#   bench    `mambaad bench model`'s batch-8 inference row (its reference
#            configuration, ResNet34 256²: slower than ResNet18), for scale;
#   predict  `mambaad predict --batch-size 8 --out DIR FOLDER` over N JPEG
#            files, wall clock from start to exit (checkpoint loading
#            included);
#
# and predict's ratio to each. Run it on a quiet machine.
#
#   bash bench/predict_folder.sh [DATA_DIR [CHECKPOINT [N]]]
#
# DATA_DIR (default /work/shared/data) is searched for */test/**/*.{png,jpg,jpeg}
# in MVTec layout; N of them (default 500), evenly spread over the sorted
# list, are written as JPEG (JPEGs copied as they are, others re-encoded at
# quality 90) into $WORK/jpg (WORK defaults to /tmp/mambaad-predict-folder;
# the folder is reused when it already has N files). CHECKPOINT defaults to
# /work/exp/r256-e6/model.ckpt. THREADS sets GOMAXPROCS for every
# measurement (default: all CPUs). SKIP_BENCH=1 skips `mambaad bench model`
# (it also times a training step and takes a few minutes); SKIP_NET=1 skips
# the network-alone figure. MAMBAAD_BIN=path times that binary instead of
# one built from this tree (e.g. an older commit's, for a before/after).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-/work/shared/data}
ckpt=${2:-/work/exp/r256-e6/model.ckpt}
n=${3:-500}
work=${WORK:-/tmp/mambaad-predict-folder}
if [ -n "${THREADS:-}" ]; then export GOMAXPROCS=$THREADS; fi
mkdir -p "$work/jpg" "$work/tojpeg"
if [ -n "${MAMBAAD_BIN:-}" ]; then
	cp "$MAMBAAD_BIN" "$work/mambaad"
else
	go build -o "$work/mambaad" ./cmd/mambaad
fi

if [ "$(find "$work/jpg" -name '*.jpg' | wc -l)" -ne "$n" ]; then
	rm -f "$work/jpg"/*.jpg
	cat > "$work/tojpeg/main.go" <<'GO'
// tojpeg SRC DST: DST is SRC when SRC is a JPEG, else SRC re-encoded as JPEG.
package main

import (
	"bytes"
	"image"
	"image/jpeg"
	_ "image/png"
	"log"
	"os"
)

func main() {
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte{0xff, 0xd8}) {
		m, _, err := image.Decode(bytes.NewReader(b))
		if err != nil {
			log.Fatalf("%s: %v", os.Args[1], err)
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
			log.Fatal(err)
		}
		b = buf.Bytes()
	}
	if err := os.WriteFile(os.Args[2], b, 0o644); err != nil {
		log.Fatal(err)
	}
}
GO
	[ -f "$work/tojpeg/go.mod" ] || (cd "$work/tojpeg" && go mod init tojpeg >/dev/null 2>&1)
	(cd "$work/tojpeg" && go build -o tojpeg .)
	find "$data" -path '*/test/*' -type f \( -iname '*.png' -o -iname '*.jpg' -o -iname '*.jpeg' \) | LC_ALL=C sort > "$work/all.txt"
	total=$(wc -l < "$work/all.txt")
	if [ "$total" -lt "$n" ]; then
		echo "only $total test images under $data, want $n" >&2
		exit 1
	fi
	awk -v n="$n" -v t="$total" 'BEGIN { for (i = 0; i < n; i++) want[int(i * t / n) + 1] = 1 } want[NR]' "$work/all.txt" |
		while read -r f; do
			rel=${f#"$data"/}
			name=${rel//\//__}
			"$work/tojpeg/tojpeg" "$f" "$work/jpg/${name%.*}.jpg"
		done
fi
echo "inputs: $n JPEG files in $work/jpg ($(du -sh "$work/jpg" | cut -f1)); checkpoint $ckpt; GOMAXPROCS=${GOMAXPROCS:-all}" >&2

now() { date +%s.%N; }

net=""
if [ -z "${SKIP_NET:-}" ]; then
	echo "measuring the network alone (ResNet18 256², batch 8)…" >&2
	net_ms=$(go test -run '^$' -bench 'Predict/method=recon$' -benchtime 6x -count 3 ./app/detector |
		awk '/ms\/image/ { for (i = 1; i < NF; i++) if ($(i+1) == "ms/image") print $i }' | sort -g | head -1)
	net=$(awk -v ms="$net_ms" 'BEGIN { printf "%.3f", 1000 / ms }')
fi

bench=""
if [ -z "${SKIP_BENCH:-}" ]; then
	echo "measuring mambaad bench model…" >&2
	"$work/mambaad" bench model --json > "$work/bench.json"
	bench=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(next(x["value"] for x in r["results"] if x["name"].startswith("model infer") and x["name"].endswith("batch8")))' "$work/bench.json")
fi

echo "measuring mambaad predict over the folder…" >&2
rm -rf "$work/out"
mkdir -p "$work/out"
t0=$(now)
status=0
"$work/mambaad" predict --checkpoint "$ckpt" --batch-size 8 --out "$work/out" "$work/jpg" > "$work/predict.jsonl" 2> "$work/predict.err" || status=$?
t1=$(now)
lines=$(wc -l < "$work/predict.jsonl")
if [ "$status" -ne 0 ] || [ "$lines" -ne "$n" ]; then
	echo "predict failed (status $status, $lines lines of $n):" >&2
	cat "$work/predict.err" >&2
	exit 1
fi
pred=$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", n / (b - a) }')

if [ -n "$net" ]; then
	printf 'network (ResNet18 256² batch 8, go test bench)  %8s images/s  (%s ms/image)\n' "$net" "$net_ms"
fi
if [ -n "$bench" ]; then
	printf 'mambaad bench model batch 8 (ResNet34 256²)     %8.3f images/s\n' "$bench"
fi
printf 'mambaad predict, %d JPEGs, heat maps written   %8s images/s  (%.1f s)\n' "$n" "$pred" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
if [ -n "$net" ]; then
	awk -v p="$pred" -v r="$net" 'BEGIN { printf "predict / network:        %.3f\n", p / r }'
fi
if [ -n "$bench" ]; then
	awk -v p="$pred" -v r="$bench" 'BEGIN { printf "predict / bench model b8: %.3f\n", p / r }'
fi
