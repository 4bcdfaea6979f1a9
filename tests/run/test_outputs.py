"""Output names: unique by construction, never an input, never an earlier run's results unasked."""

from pathlib import Path

import pytest

from cer_live.errors import OutputError
from cer_live.run.outputs import plan_outputs, unique_names
from tests.helpers import cli


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


@pytest.mark.parametrize(
    ("files", "says"),
    [
        (["clip.jsonl"], "'{d}/clip.jsonl' already holds results of an earlier run"),
        (["clip.jsonl", "clip.csv"], "'{d}/clip.jsonl' and 1 more file already hold results"),
        (["clip.jsonl", "clip.csv", "summary.json"], "'{d}/summary.json' and 2 more files already hold results"),
    ],
)
def test_the_earlier_results_message_reads_as_english(tmp_path, files, says):
    for name in files:
        (tmp_path / name).write_text("{}\n")
    with pytest.raises(OutputError) as info:
        plan_outputs(tmp_path, [_Source("clip")], video=False, overwrite=False)
    assert says.format(d=tmp_path) in str(info.value)


def test_a_name_too_long_for_the_file_system_is_refused_before_any_file_is_written(tmp_path, sample):
    image = tmp_path / ("n" * 246 + ".jpg")  # 250 bytes: a legal name whose NAME.faces.csv (256) is not
    image.write_bytes(sample("single_face.jpg").read_bytes())
    with pytest.raises(OutputError, match=r"would be 256 bytes, more than the 255 a file name may hold") as info:
        plan_outputs(tmp_path / "out", [_Source(image.stem, (image,))], video=False, overwrite=False)
    assert "\n" not in str(info.value)
    out = tmp_path / "out"
    done = cli("run", str(image), "--out", str(out))
    assert done.code == 2 and "a file name may hold" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists() or not any(out.iterdir())
