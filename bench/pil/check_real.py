#!/usr/bin/env python3
"""Compare mambaad's decoding and resizing of real image files with PIL's.

usage: check_real.py [--size N] [--masks] FILE...

Runs bench/pil/dumpresize (go run) on the files, redoes the same steps with
PIL (Image.open(p).convert("RGB") and .resize((N, N), BILINEAR); for masks
the reference transform) and prints the largest and mean absolute
difference per file. Run from the repository root with Debian's python3-pil.
"""
import argparse
import subprocess
import tempfile

import numpy as np
from PIL import Image


def stats(a, b):
    d = np.abs(a.astype(np.int16) - b.astype(np.int16))
    return int(d.max()), float(d.mean()), int((d > 0).sum())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--masks", action="store_true")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as out:
        cmd = ["go", "run", "./bench/pil/dumpresize", "-out", out, "-size", str(a.size)]
        subprocess.run(cmd + (["-masks"] if a.masks else []) + a.files, check=True)
        worst = 0
        for i, p in enumerate(a.files):
            if a.masks:
                m = np.array(Image.open(p).convert("L")) > 0
                im = Image.fromarray(m.astype(np.uint8) * 255, mode="L").resize((a.size, a.size), Image.BILINEAR)
                want = (np.asarray(im).astype(np.float32) / np.float32(255) > 0.5).astype(np.uint8)
                got = np.fromfile(f"{out}/{i}.mask", dtype=np.uint8).reshape(want.shape)
                print(f"{p}: mask pixels differing {int((got != want).sum())} of {want.size}")
                worst = max(worst, int((got != want).sum()))
                continue
            src = Image.open(p).convert("RGB")
            dec = np.asarray(src)
            res = np.asarray(src.resize((a.size, a.size), Image.BILINEAR))
            gdec = np.fromfile(f"{out}/{i}.rgb", dtype=np.uint8).reshape(dec.shape)
            gres = np.fromfile(f"{out}/{i}.resized", dtype=np.uint8).reshape(res.shape)
            d1, d2 = stats(gdec, dec), stats(gres, res)
            worst = max(worst, d2[0])
            print(f"{p} {src.size}: decoded max {d1[0]} mean {d1[1]:.4f} ({d1[2]} values differ); "
                  f"resized max {d2[0]} mean {d2[1]:.4f} ({d2[2]} differ)")
        print("worst:", worst)


if __name__ == "__main__":
    main()
