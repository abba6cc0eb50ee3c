#!/usr/bin/env python3
"""Check a .pth written by `mambaad export --format pth` with PyTorch itself.

    python3 check_pth.py MODEL.pth EXPECTED.json EXPECTED.bin

torch.load(MODEL.pth, weights_only=True) must give an OrderedDict whose
keys (in order), dtypes, shapes and values equal the expectation, bit for
bit: EXPECTED.json lists [name, dtype ("float32"|"int64"), shape, offset]
per tensor and EXPECTED.bin holds the values little-endian at those byte
offsets (written by the Go test from the model). A state_dict that
load_state_dict-style code can use must also be contiguous and on the CPU.
Prints one summary line; exits 1 on the first difference.
"""
import collections
import json
import sys

import numpy as np
import torch


def main():
    path, manifest, blob = sys.argv[1:4]
    sd = torch.load(path, weights_only=True)
    if not isinstance(sd, collections.OrderedDict):
        sys.exit(f"{path}: loaded a {type(sd).__name__}, want an OrderedDict state_dict")
    want = json.load(open(manifest))
    raw = open(blob, "rb").read()
    if list(sd.keys()) != [w[0] for w in want]:
        missing = [w[0] for w in want if w[0] not in sd]
        extra = [k for k in sd if k not in {w[0] for w in want}]
        sys.exit(f"keys differ: missing {missing[:5]}, unexpected {extra[:5]}, or order changed")
    dtypes = {"float32": (torch.float32, np.float32, np.uint32), "int64": (torch.int64, np.int64, np.uint64)}
    numel = 0
    for name, dtype, shape, off in want:
        t = sd[name]
        tdt, ndt, bits = dtypes[dtype]
        if t.dtype != tdt:
            sys.exit(f"{name}: dtype {t.dtype}, want {tdt}")
        if list(t.shape) != shape:
            sys.exit(f"{name}: shape {list(t.shape)}, want {shape}")
        if t.device.type != "cpu" or not t.is_contiguous() or t.requires_grad:
            sys.exit(f"{name}: not a plain contiguous CPU tensor")
        n = int(np.prod(shape)) if shape else 1
        exp = np.frombuffer(raw, dtype=np.dtype(ndt).newbyteorder("<"), count=n, offset=off)
        got = t.numpy().reshape(-1)
        if not np.array_equal(got.view(bits), exp.view(bits)):
            i = int(np.argmax(got.view(bits) != exp.view(bits)))
            sys.exit(f"{name}: element {i} is {got[i]!r}, want {exp[i]!r}")
        numel += n
    print(f"torch {torch.__version__}: {len(want)} tensors, {numel} values identical (names, order, dtypes, shapes, bits)")


if __name__ == "__main__":
    main()
