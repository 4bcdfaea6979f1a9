"""The `fer` peer is measured in an interpreter of its own, or said absent with how to make one."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from cer_live.bench.baselines import MAKE_PEER, peer_status


@pytest.mark.skipif(importlib.util.find_spec("fer") is not None, reason="fer is installed in cer-live's environment")
def test_an_interpreter_without_fer_is_reported_with_the_way_to_make_one():
    status = peer_status(sys.executable)  # a real interpreter, the one running cer-live, which has no fer
    assert status["status"] == "absent"
    assert sys.executable in status["note"] and "cannot import fer" in status["note"]
    assert MAKE_PEER in status["note"] and "--peer-python" in status["note"]


def test_without_an_interpreter_the_report_says_how_to_make_one():
    status = peer_status(None)
    if status["status"] == "absent":
        assert "tensorflow-cpu" in status["note"] and "--no-deps fer==25.10.3" in status["note"]
