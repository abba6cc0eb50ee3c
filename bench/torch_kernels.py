#!/usr/bin/env python3
"""PyTorch CPU timings for the kernel rows of `mambaad bench kernels`.

Runs the same shapes with torch.set_num_threads(2) (or --threads) and prints
one JSON object with rows named exactly like the Go benchmark's, so
compare.py can put the two side by side. Each figure is the median of
several timed runs after a warm-up. Not part of the Go build.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

GEMM = [(1024, 1024, 1024), (4096, 64, 256), (4096, 128, 64), (1024, 128, 512), (256, 256, 1024), (64, 512, 2048)]


def median_time(fn, runs=5, min_time=0.3, warmup=True):
    if warmup:
        fn()
    ts = []
    start = time.perf_counter()
    while len(ts) < runs or time.perf_counter() - start < min_time:
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
        if len(ts) >= 1000:
            break
    return statistics.median(ts)


def selective_scan(u, delta, A, B, C, D, bias):
    """The reference's pure-PyTorch selective scan (selective_scan_ref):
    u, delta (b, d, l); A (d, n); B, C (b, n, l) shared by all channels of
    a direction (here one direction per batch row)."""
    delta = F.softplus(delta + bias[..., None])
    dA = torch.exp(torch.einsum("bdl,dn->bdln", delta, A))
    dBu = torch.einsum("bdl,bnl,bdl->bdln", delta, B, u)
    x = torch.zeros(u.shape[0], u.shape[1], A.shape[1])
    ys = []
    for i in range(u.shape[2]):
        x = dA[:, :, i] * x + dBu[:, :, i]
        ys.append(torch.einsum("bdn,bn->bd", x, C[:, :, i]))
    y = torch.stack(ys, dim=2)
    return y + u * D[..., None]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--scan-bwd-max-l", type=int, default=1024,
                    help="skip the autograd backward of longer scans (L=4096 did not finish in 15 minutes)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    rows, skipped = [], []

    def add(name, value, unit):
        rows.append({"name": name, "value": value, "unit": unit})

    with torch.no_grad():
        for m, k, n in GEMM:
            a, b = torch.randn(m, k), torch.randn(k, n)
            t = median_time(lambda: torch.mm(a, b))
            add(f"sgemm {m}x{k}x{n}", 2 * m * n * k / t / 1e9, "GFLOP/s")
        for c, s in [(64, 64), (128, 32), (256, 16)]:
            x, w = torch.randn(8, c, s, s), torch.randn(c, c, 3, 3)
            t = median_time(lambda: F.conv2d(x, w, padding=1))
            add(f"conv2d 3x3 fwd B8 C{c} {s}x{s}", 2 * 8 * c * c * 9 * s * s / t / 1e9, "GFLOP/s")
        x, w = torch.randn(1, 128, 64, 64), torch.randn(128, 1, 7, 7)
        t = median_time(lambda: F.conv2d(x, w, padding=3, groups=128))
        add("dwconv 7x7 fwd C128 64x64", 2 * 128 * 64 * 64 * 49 / t / 1e9, "GFLOP/s")
    for (bt, k, d, l, n) in [(1, 8, 128, 4096, 16), (1, 8, 1024, 64, 16)]:
        shape = f"B{bt} K{k} D{d} L{l} N{n}"
        u = torch.randn(bt * k, d, l)
        delta = torch.randn(bt * k, d, l)
        A = -torch.arange(1, n + 1, dtype=torch.float32).repeat(d, 1)
        B, C = torch.randn(bt * k, n, l), torch.randn(bt * k, n, l)
        D, bias = torch.randn(d), torch.full((d,), -4.6)
        upd = bt * k * d * l * n
        with torch.no_grad():
            # The reference's Python-loop scan is slow: one timed run each.
            t = median_time(lambda: selective_scan(u, delta, A, B, C, D, bias), runs=1, min_time=0, warmup=False)
        add("scan_fwd " + shape, upd / t, "updates/s")
        if l > args.scan_bwd_max_l:
            skipped.append("scan_bwd " + shape)
            continue
        leaves = [v.clone().requires_grad_() for v in (u, delta, A, B, C, D, bias)]
        dy = torch.randn(bt * k, d, l)

        def fwd_bwd():
            for v in leaves:
                v.grad = None
            selective_scan(*leaves).backward(dy)

        t_all = median_time(fwd_bwd, runs=1, min_time=0, warmup=False)
        add("scan_bwd " + shape, upd / max(t_all - t, 1e-9), "updates/s")
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "results": rows, "skipped": skipped}, indent=2))


if __name__ == "__main__":
    main()
