#!/usr/bin/python3
"""ONNX's own checker with full_check (type and shape inference) over models the optimizer wrote.

    /usr/bin/python3 test/python/check_models_full.py model1.onnx [model2.onnx ...]

Prints {path: "ok" | "<ErrorType>: message"} as JSON. Run with Debian's /usr/bin/python3 (python3-onnx).
"""
import json
import sys

import onnx


def check(path):
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        return "ok"
    except Exception as e:  # reported per model
        return f"{type(e).__name__}: {e}"


if __name__ == "__main__":
    json.dump({p: check(p) for p in sys.argv[1:]}, sys.stdout)
