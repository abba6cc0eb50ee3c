#!/usr/bin/env python3
"""Write the PIL reference outputs that data/pil_golden_test.go checks.

Inputs are the small PNG images the Go test writes (see README.md next to
this script); outputs go to one gzip file of length-prefixed records:

    name (u16 length + UTF-8) | w u32 | h u32 | c u32 | n u32 | n bytes

all little-endian. Record names:

    rgb/<input>/<W>x<H>   Image.open(p).convert("RGB").resize((W, H), BILINEAR)
    l/<input>/<W>x<H>     the same in mode "L" (how masks are resized)
    mask/<input>/<W>x<H>  the reference mask transform, 0/1 bytes:
                          (convert("L") > 0)·255 → resize → ToTensor → > 0.5
    norm/<input>/<W>x<H>  ToTensor + Normalize(ImageNet) of the RGB resize,
                          float32 CHW (c = 4 bytes per value, n = 4·3·W·H)
    jpeg/<kind>/file      a JPEG written by PIL from the "rgb" input (c = 0)
    jpeg/<kind>/rgb       PIL's decoding of it, convert("RGB")

Run with Debian's python3-pil (Pillow 9.4 was used for the committed file).
"""
import gzip
import io
import struct
import sys

import numpy as np
from PIL import Image

# Down, up, mixed, and one-axis-only resizes (97x61 → 97x30 and 50x61 skip a
# pass); the other inputs get fewer sizes to keep the file small.
SIZES = [(64, 64), (40, 25), (120, 75), (128, 40), (97, 30), (50, 61), (256, 9)]
FEW = [(64, 64), (40, 25), (23, 70)]
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def record(out, name, w, h, c, payload):
    b = name.encode()
    out.write(struct.pack("<H", len(b)) + b)
    out.write(struct.pack("<IIII", w, h, c, len(payload)))
    out.write(payload)


def to_tensor_normalize(im):
    a = np.asarray(im, dtype=np.uint8).astype(np.float32) / np.float32(255)
    a = (a - MEAN) / STD  # float32 throughout, as torch does on the CPU
    return np.ascontiguousarray(a.transpose(2, 0, 1)).astype("<f4").tobytes()


def mask_transform(path, size):
    m = np.array(Image.open(path).convert("L")) > 0
    im = Image.fromarray(m.astype(np.uint8) * 255, mode="L").resize(size, Image.BILINEAR)
    t = np.asarray(im, dtype=np.uint8).astype(np.float32) / np.float32(255)
    return (t > 0.5).astype(np.uint8).tobytes()


def main(indir, outpath):
    out = io.BytesIO()
    for name in ["rgb", "grey", "pal", "rgba"]:
        src = Image.open(f"{indir}/{name}.png")
        rgb = src.convert("RGB")
        for w, h in SIZES if name == "rgb" else FEW:
            r = rgb.resize((w, h), Image.BILINEAR)
            record(out, f"rgb/{name}/{w}x{h}", w, h, 3, r.tobytes())
            if name == "rgb" and (w, h) == (40, 25):
                record(out, f"norm/{name}/{w}x{h}", w, h, 4, to_tensor_normalize(r))
        if name == "grey":
            for w, h in SIZES:
                record(out, f"l/{name}/{w}x{h}", w, h, 1, src.convert("L").resize((w, h), Image.BILINEAR).tobytes())
    for w, h in SIZES:
        record(out, f"mask/blob/{w}x{h}", w, h, 1, mask_transform(f"{indir}/blob.png", (w, h)))
    # A 45x33 corner: odd sizes exercise the chroma edge cases, and the file
    # stays small.
    rgb = Image.open(f"{indir}/rgb.png").convert("RGB").crop((0, 0, 45, 33))
    jpegs = [("444", rgb, 0), ("422", rgb, 1), ("420", rgb, 2), ("grey", rgb.convert("L"), None)]
    for kind, im, sub in jpegs:
        buf = io.BytesIO()
        kw = {"quality": 90}
        if sub is not None:
            kw["subsampling"] = sub
        im.save(buf, "JPEG", **kw)
        data = buf.getvalue()
        record(out, f"jpeg/{kind}/file", im.width, im.height, 0, data)
        dec = Image.open(io.BytesIO(data)).convert("RGB")
        record(out, f"jpeg/{kind}/rgb", dec.width, dec.height, 3, dec.tobytes())
    with gzip.GzipFile(outpath, "wb", mtime=0) as f:
        f.write(out.getvalue())


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_resize_golden.py INPUT_DIR OUTPUT.bin.gz")
    main(sys.argv[1], sys.argv[2])
