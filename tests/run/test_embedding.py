"""The README's embedding example, run as a user would paste it."""

import re
import subprocess
import sys

from ..helpers import ROOT


def test_the_readme_embedding_example_runs(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- embedding example -->\s*```python\n(.*?)```", readme, re.S)
    assert block, "the README lost its embedding example"
    code = block.group(1)
    assert len([line for line in code.splitlines() if line.strip() and not line.startswith("#")]) <= 16
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    exit_code, frames, labelled, *_ = done.stdout.split()
    assert (exit_code, frames) == ("0", "472") and int(labelled) >= 0.95 * 472
    assert (tmp_path / "out" / "WolfgangLanger_Pexels.jsonl").is_file()
