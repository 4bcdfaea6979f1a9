"""State files are replaced whole, through a random temporary name: a symlink planted at a
name an attacker can guess is never followed, and a failed write leaves the old file."""

import os
from pathlib import Path

import pytest

from cer_live.atomic import replacing, write_bytes, write_text
from cer_live.errors import OutputError
from cer_live.run.outputs import write_json
from cer_live.sinks.files import RecordFile

# Names the writers used before: fixed, so another local user could plant a link there.
GUESSABLE = ("{}.part", ".{}.tmp", "{}.tmp", ".{}.part")


def plant(folder: Path, name: str, victim: Path) -> None:
    for pattern in GUESSABLE:
        (folder / pattern.format(name)).symlink_to(victim)


def test_a_planted_symlink_at_a_fixed_temporary_name_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    out = tmp_path / "out"
    out.mkdir()
    plant(out, "summary.json", victim)
    write_json(out / "summary.json", {"frames": 3})  # a run's summary
    assert victim.read_text() == "precious\n"
    assert (out / "summary.json").read_text() == '{\n  "frames": 3\n}\n' and not (out / "summary.json").is_symlink()
    assert oct((out / "summary.json").stat().st_mode & 0o777) == oct(0o644)
    plant(out, "crop.jpg", victim)
    write_bytes(out / "crop.jpg", b"\xff\xd8")
    write_text(out / "state.txt", "x")
    assert victim.read_text() == "precious\n" and (out / "crop.jpg").read_bytes() == b"\xff\xd8"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "state.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), replacing(target, text=True) as f:
        f.write("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_record_files_are_never_opened_through_a_symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    jsonl = tmp_path / "cam.jsonl"
    jsonl.symlink_to(victim)
    # A new record file (the run was told to replace it): the link goes, the victim stays.
    record = RecordFile(jsonl)
    record.write("{}\n")
    record.close()
    assert not jsonl.is_symlink() and jsonl.read_text() == "{}\n" and victim.read_text() == "precious\n"
    # A resumed one refuses to append through a link.
    csv = tmp_path / "cam.csv"
    csv.symlink_to(victim)
    with pytest.raises(OutputError, match="cam.csv"):
        RecordFile(csv, append=True)
    assert victim.read_text() == "precious\n" and os.path.islink(csv)
