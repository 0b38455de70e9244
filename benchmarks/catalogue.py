"""Every model type the installed ``transformers`` knows, drawn from its default config.

``python benchmarks/catalogue.py [--limit N] [--types a,b]`` builds each type's base model
(``AutoModel``) from its default config on the meta device, as ``figure(config)`` does, draws
it folded, and writes ``docs/catalogue.md``: per type, the glyphs of the folded figure or the
first line of the error, and the seconds it took. Each type gets at most ``--seconds`` (60).
"""
from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

import transformers

from net2vis_widget import figure
from net2vis_widget.figure import READABLE_GLYPHS

PAGE = Path(__file__).resolve().parents[1] / "docs" / "catalogue.md"
ROW = "catalogue-row "  # marks a worker's result lines among whatever else it prints


class TimedOut(Exception):
    pass


def draw(model_type: str, seconds: int) -> tuple[str, str, float]:
    """(outcome, detail, seconds) for one model type: "drawn" with its layers and glyphs, or
    why not ("no base model", "failed", "timed out") with the first line of the error."""
    def stop(*_):
        raise TimedOut(f"more than {seconds} s")

    start = time.perf_counter()
    signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        config = transformers.CONFIG_MAPPING[model_type]()
        if type(config) not in transformers.MODEL_MAPPING:
            return "no base model", "AutoModel has no class for this config", 0.0
        fig = figure(config, auto_group=True, repeat_marks=True)
        outcome = ("drawn", f"{len(fig.network.nodes)} layers → {len(fig.folded.nodes)} glyphs")
    except TimedOut as error:
        outcome = ("timed out", str(error))
    except Exception as error:  # noqa: BLE001 - the table says why, in one line
        outcome = ("failed", (str(error).strip().splitlines() or [type(error).__name__])[0])
    finally:
        signal.alarm(0)
    return (*outcome, time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", help="comma-separated model types (default: all)")
    parser.add_argument("--limit", type=int, help="only the first N types")
    parser.add_argument("--seconds", type=int, default=60, help="time allowed per type")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    types = args.types.split(",") if args.types else sorted(transformers.CONFIG_MAPPING.keys())
    types = types[:args.limit]
    if args.worker:  # draw, one result line each, in a process the parent can lose
        warnings.simplefilter("ignore")
        for model_type in types:
            print(ROW + json.dumps([model_type, *draw(model_type, args.seconds)]), flush=True)
        return
    rows = []
    while types:  # a type that kills its process (a crash in native code) is said to
        worker = subprocess.Popen([sys.executable, __file__, "--worker", "--seconds",
                                   str(args.seconds), "--types", ",".join(types)],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in worker.stdout:
            if line.startswith(ROW):
                rows.append(json.loads(line[len(ROW):]))
                model_type, outcome, detail, seconds = rows[-1]
                print(f"{model_type:40} {outcome:14} {seconds:6.1f} s  {detail[:100]}", flush=True)
        worker.wait()
        done = {row[0] for row in rows}
        types = [t for t in types if t not in done]
        if types and worker.returncode != 0:
            rows.append([types[0], "crashed", f"its process died (exit {worker.returncode})", 0.0])
            types = types[1:]
    write(rows)


def write(rows) -> None:
    counts = Counter(outcome for _, outcome, _, _ in rows)
    buildable = len(rows) - counts["no base model"]
    readable = sum(1 for _, outcome, detail, _ in rows if outcome == "drawn"
                   and int(re.search(r"→ (\d+) glyphs", detail)[1]) <= READABLE_GLYPHS)
    lines = [
        "# The transformers catalogue",
        "",
        f"Every model type of `transformers` {transformers.__version__}, drawn from its default "
        "config with `figure(config, auto_group=True, repeat_marks=True)` on the meta device "
        f"(`python benchmarks/catalogue.py`). Of the {buildable} types with a base model, "
        f"**{counts['drawn']} draw ({counts['drawn'] / max(buildable, 1):.0%})**, {readable} "
        f"of them folded to at most {READABLE_GLYPHS} glyphs; {counts['failed']} fail, "
        f"{counts['timed out']} take longer than the time allowed and {counts['crashed']} end "
        f"their process. {counts['no base model']} more are parts of other models (a vision or "
        "text tower's config) with no model of their own.",
        "",
        "| type | outcome | figure, or the error's first line | seconds |",
        "|---|---|---|---|",
    ]
    for model_type, outcome, detail, seconds in rows:
        detail = detail.replace("|", "\\|").replace("\n", " ")[:160]
        lines.append(f"| `{model_type}` | {outcome} | {detail} | {seconds:.1f} |")
    PAGE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {PAGE}: {counts['drawn']} of {buildable} drawn, {readable} readable")


if __name__ == "__main__":
    main()
