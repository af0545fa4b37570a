#!/usr/bin/python3
"""ONNX's own shape inference for cross-checking EdgeFleet's inferShapes (main/core/onnx/shape-inference.ts).

    /usr/bin/python3 test/python/infer_shapes.py model1.onnx [model2.onnx ...]

Prints {path: {tensor: {"elemType": int, "shape": [int | str | null]}} | {"$error": message}} for every
tensor a node of the main graph writes. Dims ONNX invents for unknown sizes ("unk__3") are reported as null.
"""
import json
import sys

import onnx
from onnx import shape_inference


def dims_of(tensor_type):
    dims = []
    for d in tensor_type.shape.dim:
        if d.HasField("dim_value"):
            dims.append(int(d.dim_value))
        elif d.HasField("dim_param") and d.dim_param and not d.dim_param.startswith("unk__"):
            dims.append(d.dim_param)
        else:
            dims.append(None)
    return dims


def infer(path):
    model = onnx.load(path)
    inferred = shape_inference.infer_shapes(model, strict_mode=False, data_prop=True)
    produced = {o for n in model.graph.node for o in n.output if o}
    out = {}
    for vi in list(inferred.graph.value_info) + list(inferred.graph.output):
        if vi.name not in produced or not vi.type.HasField("tensor_type"):
            continue
        tt = vi.type.tensor_type
        if tt.HasField("shape"):
            out[vi.name] = {"elemType": tt.elem_type, "shape": dims_of(tt)}
    return out


def main(paths):
    result = {}
    for p in paths:
        try:
            result[p] = infer(p)
        except Exception as e:  # reported per model
            result[p] = {"$error": f"{type(e).__name__}: {e}"}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
