"""Drawing a large ONNX file: time and peak memory (SPEC §3c: weights are never read).

Run: ``python benchmarks/bench_onnx.py [--megabytes 400]``. Writes, in a temporary folder, a
chain of ``MatMul``/``Relu`` operators whose weights add up to the given size, once with the
weights inside the ``.onnx`` file and once in an external data file. Then, each in a fresh
process, it draws the file (``figure(path).to_svg()``) and reports the seconds and the
process's peak resident memory beside the file's size. Asserts nothing.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

WIDTH = 2048  # a 2048×2048 float32 weight is 16 MiB

# Peak memory from VmHWM: ru_maxrss would carry over the parent's peak across exec.
DRAW = """
import re, sys, time
start = time.perf_counter()
from net2vis_widget import figure
svg = figure(sys.argv[1], auto_group=False).to_svg()
seconds = time.perf_counter() - start
peak = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024
print(f"{seconds:.2f} {peak:.0f}")
"""


def chain(megabytes: int) -> onnx.ModelProto:
    layers = max(1, megabytes * 2 ** 20 // (WIDTH * WIDTH * 4))
    nodes, weights, x = [], [], "x"
    for i in range(layers):
        weights.append(numpy_helper.from_array(np.full((WIDTH, WIDTH), 0.01, np.float32), f"w{i}"))
        nodes += [helper.make_node("MatMul", [x, f"w{i}"], [f"m{i}"], name=f"matmul{i}"),
                  helper.make_node("Relu", [f"m{i}"], [f"r{i}"], name=f"relu{i}")]
        x = f"r{i}"
    graph = helper.make_graph(nodes, "chain",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, WIDTH])],
                              [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, WIDTH])],
                              weights)
    return helper.make_model(graph)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=400)
    megabytes = parser.parse_args().megabytes
    model = chain(megabytes)
    with tempfile.TemporaryDirectory() as folder:
        inside, outside = Path(folder) / "inside.onnx", Path(folder) / "outside.onnx"
        onnx.save(model, inside)
        onnx.save(model, outside, save_as_external_data=True, all_tensors_to_one_file=True,
                  location="outside.weights")
        print(f"{'weights':<10} {'file MB':>8} {'draw s':>7} {'peak MB':>8}")
        for label, path in (("inside", inside), ("external", outside)):
            size = sum(p.stat().st_size for p in Path(folder).glob(f"{path.stem}*")) / 2 ** 20
            seconds, peak = subprocess.run([sys.executable, "-c", DRAW, str(path)], check=True,
                                           capture_output=True, text=True).stdout.split()
            print(f"{label:<10} {size:>8.0f} {seconds:>7} {peak:>8}")


if __name__ == "__main__":
    main()
