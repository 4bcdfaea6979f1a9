"""The pure parts: parsing rule, frame choice, borrowing, fill, prices, store, pace, and the runtime's imports."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from cer_live.offline.label.cost import Bill, input_tokens, price_for
from cer_live.offline.label.errors import LabelError
from cer_live.offline.label.fill import Row, fill
from cer_live.offline.label.parse import parse_reply
from cer_live.offline.label.prompts import choose, from_file
from cer_live.offline.label.ratelimit import RateLimiter
from cer_live.offline.label.select import Candidate, borrow, pick, uncertainty
from cer_live.offline.label.store import Key, Result, Store
from cer_live.offline.label.transport_batch import custom_id

from ...helpers import ROOT


@pytest.mark.parametrize(
    ("reply", "label", "strict"),
    [
        ("Happily Surprised", 1, 1),
        ("The person looks DISGUSTINGLY surprised.", 3, 3),
        ("disgustedly-surprised", 3, 3),
        ("Category: 'Sadly Angry'. The furrowed brow suggests anger, and sadly angry fits best.", 6, 6),
        ("Angrily Surprised or Sadly Surprised", 2, None),  # a tie: the recipe lists Sadly Surprised first
        ("Sadly Angry, not Happily Surprised", 1, None),  # the recipe: Happily Surprised anywhere wins
        ("Fearfully Surprised, then Sadly Fearful", 5, None),  # then Sadly Fearful
        ("I can't determine an expression.", None, None),
        ("Surprised, sadly.", None, None),
    ],
)
def test_parse_rule(reply, label, strict):
    assert parse_reply(reply).label == label
    assert parse_reply(reply, "strict").label == strict


def test_names_are_recorded():
    assert parse_reply("sadly fearful or sadly angry").names == ("Sadly Fearful", "Sadly Angry")


def test_prompts(tmp_path):
    assert [p.id for p in choose("paper1", None, True)] == ["paper1", "paper2"]
    assert "Disgustingly Surprised" in choose("paper2", None, False)[0].text
    f = tmp_path / "p.txt"
    f.write_text("Name the expression.\n")
    first = from_file(f)
    f.write_text("Name the compound expression.\n")
    assert from_file(f).id != first.id, "an edited prompt never reuses old replies"
    with pytest.raises(LabelError):
        choose("paper9", None, False)


def test_pick_even_and_uncertain():
    cands = [
        Candidate(f, f != 30, u)
        for f, u in zip(range(0, 100, 10), [0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.4, 0.6, 0.5, 0.0], strict=False)
    ]
    assert pick(cands, 3, "even") == [0, 40, 90]
    assert pick(cands, 3, "uncertain") == [10, 50, 70]  # 30 has no face of its own
    assert pick(cands, None, "even") == list(range(0, 100, 10))


def test_uncertainty_orders_confidence_and_disagreement():
    sure = np.eye(7)[1] * 0.94 + 0.01
    flat = np.full(7, 1 / 7)
    agree = np.stack([sure, sure])
    split = np.stack([sure, np.roll(sure, 1)])
    assert uncertainty(sure, agree) < uncertainty(sure, split) < uncertainty(flat, split)


def test_borrow_nearest_face_within_bound_ties_to_the_past():
    cands = [Candidate(0, True), Candidate(10, False), Candidate(20, True), Candidate(40, False), Candidate(60, False)]
    chosen = borrow([0, 10, 40, 60], cands, 20)
    assert [(c.frame, c.face_from) for c in chosen] == [(0, 0), (10, 0), (40, 20), (60, None)]


def test_fill_nearest_label_within_bound():
    rows = [
        Row("a", 1, "v", 0, "p", "m"),
        Row("b", None, "v", 5, "p", "m"),
        Row("c", 4, "v", 8, "p", "m"),
        Row("d", None, "v", 30, "p", "m"),
        Row("e", None, "w", 5, "p", "m"),
    ]
    out = {(r.source, r.frame): r for r in fill(rows, 10)}
    assert out[("v", 5)].label == 4 and out[("v", 5)].filled
    assert out[("v", 30)].label is None and not out[("v", 30)].filled
    assert out[("w", 5)].label is None, "labels never cross videos"


def test_prices_and_estimates(tmp_path):
    assert input_tokens(224, 224, "") == 67 + 20
    price = price_for("claude-sonnet-4-5", None)
    assert price is not None and price.cost(1_000_000, 0, batch=True) == pytest.approx(1.5)
    table = tmp_path / "prices.toml"
    table.write_text('date = "2030-01-01"\n[models.my-model]\ninput = 2.0\noutput = 4.0\n')
    mine = price_for("my-model", table)
    assert (mine.input, mine.output, mine.date) == (2.0, 4.0, "2030-01-01")
    (tmp_path / "p.json").write_text(json.dumps({"models": {"claude-sonnet-4-5": {"input": 9}}}))
    with pytest.raises(LabelError):
        price_for("claude-sonnet-4-5", tmp_path / "p.json")
    bill = Bill(price, 0.01)
    worst = bill.worst_case(1000, 100, batch=False)
    assert bill.can_afford(worst)
    bill.add(3000, 100, batch=False)
    assert not bill.can_afford(worst)


def test_store_survives_reopen_and_keeps_batches(tmp_path):
    key = Key("ab" * 32, "paper1", "m")
    store = Store(tmp_path / "s.sqlite")
    store.put_result(Result(key, "Sadly Angry", 10, 2, 0.001, "sync"))
    store.add_batch("b1", "m", {custom_id(Key("cd" * 32, "paper1", "m")): Key("cd" * 32, "paper1", "m")})
    store.check_settings({"crop": [224, 1.0, 0.0]})
    store.close()
    again = Store(tmp_path / "s.sqlite")
    assert again.done("m") == {key}
    assert again.open_batches() == ["b1"] and again.in_open_batches() == {Key("cd" * 32, "paper1", "m")}
    with pytest.raises(LabelError, match="another --out"):
        again.check_settings({"crop": [112, 1.0, 0.0]})


def test_custom_id_is_valid():
    import re

    cid = custom_id(Key("ff" * 32, "file-0123456789", "claude-sonnet-4-5"))
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", cid)


def test_rate_limiter_spaces_starts():
    now = [0.0]
    slept = []
    limiter = RateLimiter(120, clock=lambda: now[0], sleep=lambda s: (slept.append(s), now.__setitem__(0, now[0] + s)))
    for _ in range(3):
        limiter.wait()
    assert slept == [pytest.approx(0.5), pytest.approx(0.5)]


def test_runtime_commands_never_import_offline_code():
    code = (
        "import sys; from cer_live import cli; cli._parser().parse_args(['run', 'x', '--out', 'y']); "
        "import cer_live.run.pipeline, cer_live.run.analyser; "
        "print(sorted(m for m in sys.modules if m.startswith(('cer_live.offline', 'anthropic'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"
