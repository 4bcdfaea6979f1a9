"""Output names: unique by construction, never an input, never an earlier run's results unasked."""

from pathlib import Path

import pytest

from cer_live.errors import OutputError
from cer_live.run.outputs import plan_outputs, unique_names


class _Source:
    def __init__(self, name: str, files: tuple[Path, ...] = ()) -> None:
        self.name, self.files, self.independent = name, files, False


def test_a_repeated_name_never_takes_another_sources_real_name():
    assert unique_names(["a", "a", "a-2"]) == ["a", "a-3", "a-2"]
    assert unique_names(["a", "a", "a"]) == ["a", "a-2", "a-3"]
    assert unique_names(["a-2", "a", "a"]) == ["a-2", "a", "a-3"]
    names = unique_names(["x", "x-2", "x", "x-3", "x"])
    assert len(set(names)) == 5


def test_an_output_that_is_an_input_is_refused(tmp_path):
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"video")
    with pytest.raises(OutputError, match="would replace the input"):
        plan_outputs(tmp_path, [_Source("clip", (video,))], video=True, overwrite=True)
    # Without the video output there is no clash.
    assert plan_outputs(tmp_path, [_Source("clip", (video,))], video=False, overwrite=False).stems == ("clip",)


def test_earlier_results_need_overwrite(tmp_path):
    (tmp_path / "clip.jsonl").write_text("{}\n")
    with pytest.raises(OutputError, match="pass --overwrite"):
        plan_outputs(tmp_path, [_Source("clip")], video=False, overwrite=False)
    assert plan_outputs(tmp_path, [_Source("clip")], video=False, overwrite=True).stems == ("clip",)
