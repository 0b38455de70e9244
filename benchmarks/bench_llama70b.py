"""Llama-3-70B's architecture, built on the meta device, drawn to a PDF.

``python benchmarks/bench_llama70b.py`` prints, for each of three runs in one process, the
capture alone (``extract``: the forward pass recorded on fake tensors, its 80 equal decoder
layers recorded once and replayed) and the whole of ``figure()`` plus ``save()``, and the
process's peak memory (imports included): the figures the docs quote for a full-size model.
"""
from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import torch
import transformers

from net2vis_widget import figure
from net2vis_widget.extract import extract

CONFIG = transformers.LlamaConfig(hidden_size=8192, intermediate_size=28672,
                                  num_hidden_layers=80, num_attention_heads=64,
                                  num_key_value_heads=8, vocab_size=128256)


def main(runs: int = 3) -> None:
    with torch.device("meta"):
        llama = transformers.LlamaForCausalLM(CONFIG)  # no weights: the sizes only
    ids = torch.ones(1, 16, dtype=torch.long)
    with tempfile.TemporaryDirectory() as folder:
        for run in range(1, runs + 1):
            start = time.perf_counter()
            extract(llama, input_data=ids)
            captured = time.perf_counter() - start
            start = time.perf_counter()
            fig = figure(llama, input_data=ids, repeat_marks=True)
            fig.save(Path(folder) / "llama.pdf")
            print(f"run {run}: capture {captured:.2f} s; figure() and save() "
                  f"{time.perf_counter() - start:.2f} s, {len(fig.network.nodes)} layers as "
                  f"{len(fig.folded.nodes)} glyphs")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"peak memory of the process: {peak:.0f} MiB (Python {sys.version.split()[0]}, "
          f"torch {torch.__version__}, transformers {transformers.__version__})")


if __name__ == "__main__":
    main()
