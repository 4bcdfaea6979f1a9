"""`--sources FILE.toml`: entries read with their options, and one-line errors for bad ones."""

import pytest

from cer_live.run.config import RunConfig
from cer_live.run.source_list import SourceEntry, SourceListError, read_source_list

from ..helpers import cli, read_jsonl


def write(tmp_path, text: str):
    path = tmp_path / "cams.toml"
    path.write_text(text)
    return path


def test_entries_keep_their_names_and_options(tmp_path):
    path = write(
        tmp_path,
        """
[[source]]
name = "door"
url = "rtsp://10.0.0.5:554/live"
policy = "latest"
transport = "udp"
timeout = 2.5
reconnect_limit = 3

[[source]]
path = "clips/monday.mp4"
""",
    )
    door, clip = read_source_list(path)
    assert door == SourceEntry("rtsp://10.0.0.5:554/live", "door", "latest", "udp", 2.5, 3)
    assert clip == SourceEntry(str(tmp_path / "clips/monday.mp4"))  # relative to the list
    config = RunConfig(sources=("a.mp4",), source_list=(door, clip), out=tmp_path)
    assert [e.spec for e in config.entries] == ["a.mp4", door.spec, clip.spec]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[source]]\nurl = 'rtsp://h/x'\npath = 'a.mp4'\n", "source 1: give exactly one of url"),
        ("[[source]]\nname = 'a'\n", "source 1: give exactly one of url"),
        ("[[source]]\nurl = 'rtsp://h/x'\nfps = 3\n", "source 1: unknown key 'fps'"),
        ("[[source]]\nurl = 'rtsp://h/x'\npolicy = 'some'\n", "policy = 'some'; choose one of: all, latest"),
        ("[[source]]\nurl = 'rtsp://h/x'\ntimeout = 'long'\n", "timeout = 'long' must be a number"),
        ("[[source]]\nurl = 'rtsp://h/x'\ntimeout = 0\n", "bad timeout 0; give a finite number of seconds"),
        ("[[source]]\nurl = 'rtsp://h/x'\ntimeout = nan\n", "bad timeout nan; give a finite number of seconds"),
        ("[[source]]\nurl = 'rtsp://h/x'\ntimeout = inf\n", "bad timeout inf; give a finite number of seconds"),
        ("[[source]]\nurl = 'rtsp://h/x'\ntimeout = 1e9\n", "at most 3600"),
        ("[[source]]\nurl = 'rtsp://h/x'\nreconnect_limit = true\n", "reconnect_limit = True must be an integer"),
        ("[[source]]\nurl = 'rtsp://h/x'\nname = 'a b'\n", "name 'a b' must be letters"),
        (
            "[[source]]\nurl = 'rtsp://h/x'\nname = 'a'\n[[source]]\nurl = 'rtsp://h/y'\nname = 'a'\n",
            "'a' is used twice",
        ),
        ("[cams]\nurl = 'x'\n", "unknown table 'cams'"),
        ("title = 'x'\n", "unknown table 'title'"),
        ("", "lists no [[source]] entries"),
        ("[[source]\n", "is not valid TOML"),
    ],
)
def test_a_bad_list_is_one_line_naming_the_problem(tmp_path, text, message):
    with pytest.raises(SourceListError, match=None) as info:
        read_source_list(write(tmp_path, text))
    assert message in str(info.value) and "\n" not in str(info.value)


def test_the_cli_reads_a_list_and_names_outputs_after_it(tmp_path, sample):
    path = write(tmp_path, f"[[source]]\nname = 'left'\npath = '{sample('single_face.jpg')}'\n\n"
                           f"[[source]]\nname = 'right'\npath = '{sample('multi_face.jpg')}'\n")  # fmt: skip
    done = cli("run", "--sources", str(path), "--out", str(tmp_path / "out"))
    assert done.code == 0, done.stderr
    assert len(read_jsonl(tmp_path / "out" / "left.jsonl")) == 2  # header + one face
    assert len(read_jsonl(tmp_path / "out" / "right.jsonl")) == 6
    missing = cli("run", "--sources", str(tmp_path / "nope.toml"), "--out", str(tmp_path / "o2"))
    assert missing.code == 2 and "no such --sources file" in missing.stderr and "Traceback" not in missing.stderr
    assert not (tmp_path / "o2").exists()
