#!/usr/bin/python3
"""onnx.checker.check_model(path, full_check=True) (which also runs strict shape inference) on each model.

    /usr/bin/python3 test/python/check_model.py model1.onnx [model2.onnx ...]

Prints {path: "ok" | "<ExceptionType>: message"} as JSON; exit code 0 either way (callers assert on the JSON).
"""
import json
import sys

import onnx


def check(path):
    try:
        onnx.checker.check_model(path, full_check=True)
        return "ok"
    except Exception as e:  # reported per model
        return f"{type(e).__name__}: {e}"


if __name__ == "__main__":
    json.dump({p: check(p) for p in sys.argv[1:]}, sys.stdout)
