#!/usr/bin/env python3
"""Put `mambaad bench --json` and torch_kernels.py results side by side.

usage: compare.py go.json torch.json  → a Markdown table on stdout with
both columns and the ratio mambaad/PyTorch for every row PyTorch measured.
"""
import json
import sys


def main():
    go = json.load(open(sys.argv[1]))
    pt = {r["name"]: r for r in json.load(open(sys.argv[2]))["results"]}
    peak = go["peak_gflops"]
    print(f"Measured fp32 peak: {peak:.1f} GFLOP/s ({go['threads']} threads, {go['isa']})\n")
    print("| benchmark | mambaad | % peak | PyTorch | % peak | mambaad / PyTorch |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in go["results"]:
        p = pt.get(r["name"])
        if p is None:
            continue
        gf = r["unit"] == "GFLOP/s"
        mp = f"{100 * r['value'] / peak:.1f}" if gf else ""
        pp = f"{100 * p['value'] / peak:.1f}" if gf else ""
        print(f"| {r['name']} | {fmt(r['value'])} {r['unit']} | {mp} | {fmt(p['value'])} | {pp} | {r['value'] / p['value']:.2f}× |")


def fmt(v):
    return f"{v:.3g}" if abs(v) >= 1e6 else f"{v:.1f}"


if __name__ == "__main__":
    main()
