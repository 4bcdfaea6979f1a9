"""`cer-live evaluate --pack P --data D` with the default pack on a RAF-DB folder of real aligned faces."""

import json

from tests.helpers import cli
from tests.offline.synthetic import write_rafdb


def test_default_pack_on_rafdb_test_split(faces64, tmp_path):
    data = write_rafdb(tmp_path / "raf", faces64, per_class=2)
    done = cli(
        "evaluate",
        "--pack",
        "default",
        "--data",
        str(data),
        "--json",
        str(tmp_path / "r.json"),
        "--plot",
        str(tmp_path / "r.png"),
    )
    assert done.code == 0, done.stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["images"] == 14  # RAF-DB's test split by default: 7 ABAW classes x 2
    assert report["counts"] == dict.fromkeys(report["counts"], 2)
    (member,) = report["members"]
    # a pack of one member: every fusion rule gives that member's labels
    for rule in ("mean", "weighted_mean", "majority"):
        assert report["fusion"][rule]["confusion"] == report["members"][member]["confusion"]
    assert sum(map(sum, report["members"][member]["confusion"])) == 14
    assert 0.0 <= report["members"][member]["macro_f1"] <= 1.0 and (tmp_path / "r.png").stat().st_size > 5000
    done = cli(
        "evaluate", "--pack", "default", "--data", str(data), "--split", "all", "--json", str(tmp_path / "all.json")
    )
    assert json.loads((tmp_path / "all.json").read_text())["images"] == 28
