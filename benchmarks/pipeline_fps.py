"""End-to-end speed with its baselines measured in the same run: a thin caller of `cer-live bench`.

    python benchmarks/pipeline_fps.py [--full] [any other cer-live bench option]

Writes bench.json and the plots to ./bench-out/ unless --out is given;
see `cer-live bench --help`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cer_live.cli import main  # noqa: E402

if __name__ == "__main__":
    args = sys.argv[1:]
    if "--out" not in args:
        args += ["--out", "bench-out"]
    sys.exit(main(["bench", *args]))
