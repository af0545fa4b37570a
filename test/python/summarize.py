#!/usr/bin/python3
"""Independent model summaries, to cross-check EdgeFleet's summarizeModel (main/core/onnx/summary.ts).

Run with Debian's /usr/bin/python3 (python3-onnx 1.12, numpy):

    /usr/bin/python3 test/python/summarize.py model1.onnx [model2.onnx ...]

Prints one JSON object: {path: summary | {"error": message}}. Shapes come from ONNX's own
onnx.shape_inference.infer_shapes, weights from numpy_helper.to_array, so neither shares code with the
TypeScript side. The counting conventions are the ones documented at the top of summary.ts.
"""
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper, shape_inference

SPECIAL_NAMES = {"FLOAT": "float32", "DOUBLE": "float64"}
# Bytes per element where numpy's representation differs from ONNX's storage (to_array widens bfloat16).
STORAGE_BYTES = {TensorProto.BFLOAT16: 2}
MAC_OPS = {
    "Conv": ("conv", 0, 1),
    "ConvInteger": ("conv", 0, 1),
    "QLinearConv": ("conv", 0, 3),
    "ConvTranspose": ("conv_transpose", 0, 1),
    "Gemm": ("gemm", 0, 1),
    "MatMul": ("matmul", 0, 1),
    "MatMulInteger": ("matmul", 0, 1),
    "QLinearMatMul": ("matmul", 0, 3),
}


def dtype_name(code):
    if code == 0:
        return "unknown"
    try:
        name = TensorProto.DataType.Name(code)
    except ValueError:
        return "unknown"
    return SPECIAL_NAMES.get(name, name.lower())


def declared(value_info):
    """(elem_type, shape) of a ValueInfoProto; shape None when not declared."""
    t = value_info.type
    if t.HasField("tensor_type"):
        tt = t.tensor_type
    elif t.HasField("sparse_tensor_type"):
        tt = t.sparse_tensor_type
    else:
        return 0, None
    if not tt.HasField("shape"):
        return tt.elem_type, None
    dims = []
    for d in tt.shape.dim:
        if d.HasField("dim_value"):
            dims.append(int(d.dim_value))
        elif d.HasField("dim_param") and d.dim_param != "":
            dims.append(d.dim_param)
        else:
            dims.append(None)
    return tt.elem_type, dims


def graphs_of(graph, depth=0):
    yield graph, depth
    for node in graph.node:
        for attr in node.attribute:
            if attr.HasField("g"):
                yield from graphs_of(attr.g, depth + 1)
            for g in attr.graphs:
                yield from graphs_of(g, depth + 1)


def weight_tensors(graph):
    """(tensor, counts_as_parameter) for initializers, sparse initializers and Constant node tensors."""
    for g, _ in graphs_of(graph):
        for t in g.initializer:
            yield t, True
        for s in g.sparse_initializer:
            yield s.values, True
            yield s.indices, False
        for node in g.node:
            if node.op_type != "Constant" or node.domain not in ("", "ai.onnx"):
                continue
            for attr in node.attribute:
                if attr.name == "value" and attr.HasField("t"):
                    yield attr.t, True
                if attr.name == "sparse_value" and attr.HasField("sparse_tensor"):
                    yield attr.sparse_tensor.values, True
                    yield attr.sparse_tensor.indices, False


def tensor_bytes(t, arr):
    if t.data_type == TensorProto.STRING:
        return sum(len(s) for s in t.string_data)
    if t.data_type in STORAGE_BYTES:
        return arr.size * STORAGE_BYTES[t.data_type]
    return int(arr.nbytes)


def prod(dims):
    """Product with symbolic dims as 1; None if a dim is unknown."""
    if dims is None:
        return None
    n = 1
    for d in dims:
        if d is None:
            return None
        if isinstance(d, int):
            n *= d
    return n


def dim1(d):
    return None if d is None else (d if isinstance(d, int) else 1)


def attr_int(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return a.i
    return default


def node_macs(node, shapes):
    kind, ai, bi = MAC_OPS[node.op_type]
    get = lambda names, i: shapes.get(names[i]) if i < len(names) and names[i] else None
    a, b, y = get(node.input, ai), get(node.input, bi), get(node.output, 0)
    if kind == "conv":
        n, k = prod(y), prod(b[1:]) if b is not None else None
        return None if n is None or k is None else n * k
    if kind == "conv_transpose":
        n, k = prod(a), prod(b[1:]) if b is not None else None
        return None if n is None or k is None else n * k
    if kind == "gemm":
        if a is None or b is None or len(a) != 2 or len(b) != 2:
            return None
        ta, tb = attr_int(node, "transA", 0), attr_int(node, "transB", 0)
        m, k = (dim1(a[1]), dim1(a[0])) if ta else (dim1(a[0]), dim1(a[1]))
        n = dim1(b[0]) if tb else dim1(b[1])
        return None if None in (m, k, n) else m * n * k
    if a is None or len(a) == 0:
        return None
    k, n = dim1(a[-1]), prod(y)
    return None if k is None or n is None else n * k


def summarize(path):
    model = onnx.load(path)
    graph = model.graph
    try:
        inferred = shape_inference.infer_shapes(model)
    except Exception:  # an old or odd model: count what the file declares
        inferred = model
    shapes = {}
    types = {}
    ig = inferred.graph
    for vi in list(ig.input) + list(ig.value_info) + list(ig.output):
        et, dims = declared(vi)
        types[vi.name] = et
        if dims is not None:
            shapes[vi.name] = dims
    for t in ig.initializer:
        shapes[t.name] = [int(d) for d in t.dims]
        types[t.name] = t.data_type

    init_names = {t.name for t in graph.initializer}
    inputs = []
    for vi in graph.input:
        if vi.name in init_names:
            continue
        et, dims = declared(vi)
        inputs.append({"name": vi.name, "elemType": dtype_name(et), "shape": dims})
    outputs = []
    for vi in graph.output:
        et, dims = declared(vi)
        et = et or types.get(vi.name, 0)
        outputs.append({"name": vi.name, "elemType": dtype_name(et), "shape": dims if dims is not None else shapes.get(vi.name)})

    hist = {}
    node_count = 0
    macs_by_op = {}
    macs = 0
    unknown = 0
    for g, depth in graphs_of(graph):
        for node in g.node:
            node_count += 1
            key = (node.op_type, node.domain)
            hist[key] = hist.get(key, 0) + 1
            if node.op_type in MAC_OPS and node.domain in ("", "ai.onnx"):
                m = node_macs(node, shapes) if depth == 0 else None
                macs_by_op[node.op_type] = macs_by_op.get(node.op_type, 0) + (m or 0)
                if m is None:
                    unknown += 1
                else:
                    macs += m

    params = 0
    by_dtype = {}
    for t, is_param in weight_tensors(graph):
        arr = numpy_helper.to_array(t)
        if is_param:
            params += int(arr.size)
        name = dtype_name(t.data_type)
        entry = by_dtype.setdefault(name, {"dtype": name, "bytes": 0, "tensors": 0})
        entry["bytes"] += tensor_bytes(t, arr)
        if is_param:
            entry["tensors"] += 1

    return {
        "irVersion": model.ir_version,
        "opsets": [{"domain": o.domain, "version": o.version} for o in model.opset_import],
        "producer": {"name": model.producer_name, "version": model.producer_version},
        "graphName": graph.name,
        "inputs": inputs,
        "outputs": outputs,
        "nodeCount": node_count,
        "opHistogram": [
            {"opType": op, "domain": dom, "count": c}
            for (op, dom), c in sorted(hist.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1]))
        ],
        "parameterCount": params,
        "weightBytesByDtype": sorted(by_dtype.values(), key=lambda e: (-e["bytes"], e["dtype"])),
        "weightBytes": sum(e["bytes"] for e in by_dtype.values()),
        "macs": macs,
        "macsByOpType": [
            {"opType": op, "macs": m} for op, m in sorted(macs_by_op.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "macsUnknownNodes": unknown,
        "onnxVersion": onnx.__version__,
        "numpyVersion": np.__version__,
    }


def main(paths):
    out = {}
    for p in paths:
        try:
            out[p] = summarize(p)
        except Exception as e:  # reported per model; the test decides
            out[p] = {"error": f"{type(e).__name__}: {e}"}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
