#!/usr/bin/env python3
"""Check an ONNX file written by `mambaad export` with the onnx package.

    python3 check_onnx.py MODEL.onnx

Runs onnx.checker.check_model(full_check=True) (structure, every node
against its operator schema at the model's opset, and strict shape
inference), then prints one JSON line: the opset, IR version, producer,
input and output names with their shapes as inferred, node counts per
operator and the metadata_props, for the Go test to compare.
"""
import collections
import json
import sys

import onnx


def dims(vi):
    out = []
    for d in vi.type.tensor_type.shape.dim:
        out.append(d.dim_param if d.HasField("dim_param") else (d.dim_value if d.HasField("dim_value") else None))
    return out


def count(graph, acc):
    for n in graph.node:
        acc[n.op_type] += 1
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                count(a.g, acc)
    return acc


def main():
    path = sys.argv[1]
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    g = inferred.graph
    print(json.dumps({
        "onnx": onnx.__version__,
        "ir_version": model.ir_version,
        "opset": {o.domain or "ai.onnx": o.version for o in model.opset_import},
        "producer": [model.producer_name, model.producer_version],
        "inputs": {i.name: dims(i) for i in g.input},
        "outputs": {o.name: dims(o) for o in g.output},
        "ops": count(model.graph, collections.Counter()),
        "metadata": {p.key: p.value for p in model.metadata_props},
    }))


if __name__ == "__main__":
    main()
