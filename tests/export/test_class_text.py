"""CLASSES.toml: the bundled classes, and one-line errors for files the builder cannot use."""

import pytest

from cer_live.classes import BASIC_CLASSES, COMPOUND_CLASSES, COMPOUND_COMPONENTS
from cer_live.errors import ExportError
from cer_live.export.class_text import default_classes_path, read_class_set
from cer_live.export.text_classes import check_runtime_fit
from tests.helpers import cli

BASIC = """
[[basic]]
name = "fear"
descriptions = ["a frightened face", "wide eyes in fear"]

[[basic]]
name = "surprise"
descriptions = ["a surprised face"]
"""


def _write(tmp_path, text):
    path = tmp_path / "classes.toml"
    path.write_text(text)
    return path


def test_default_classes_are_the_seven_basic_and_the_seven_abaw_compounds_by_mean():
    classes = read_class_set(default_classes_path())
    assert sorted(classes.basic_names) == sorted(BASIC_CLASSES)
    assert classes.compound_names == COMPOUND_CLASSES  # ABAW order, ids 0..6
    assert tuple(c.of for c in classes.compound) == COMPOUND_COMPONENTS
    assert all(c.rule == "mean" and len(c.descriptions) >= 2 for c in classes.compound)
    assert all(len(c.descriptions) >= 3 for c in classes.basic)
    check_runtime_fit(classes)


def test_rules_default_to_mean_with_of_and_to_descriptions_without(tmp_path):
    text = BASIC + '[[compound]]\nname = "A"\nof = ["fear", "surprise"]\n'
    text += '[[compound]]\nname = "B"\ndescriptions = ["startled and scared"]\n'
    classes = read_class_set(_write(tmp_path, text))
    assert [c.rule for c in classes.compound] == ["mean", "descriptions"]
    assert classes.compound[0].of == ("fear", "surprise") and classes.compound[0].descriptions == ()
    with pytest.raises(ExportError, match="not the seven ABAW compounds"):
        check_runtime_fit(classes)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('[[basic]]\nname = "sad"\ndescriptions = []\n', "class 'sad' has no description"),
        ('[[basic]]\nname = "sad"\n', "class 'sad' has no description"),
        (
            '[[compound]]\nname = "X"\nrule = "descriptions"\nof = ["fear", "surprise"]\n',
            "class 'X' has no description",
        ),
        ('[[basic]]\nname = "fear"\ndescriptions = ["again"]\n', r"\['fear'\] appear more than once"),
        ('[[compound]]\nname = "surprise"\nof = ["fear", "surprise"]\n', r"\['surprise'\] appear more than once"),
        ('[[basic]]\nname = "sad"\ndescription = ["typo"]\n', r"unknown key\(s\) \['description'\]"),
        ('[[compound]]\nname = "X"\nrule = "mean"\n', "rule 'mean' needs 'of'"),
        ('[[compound]]\nname = "X"\nof = ["fear", "joy"]\n', "only \\['fear', 'surprise'\\] are \\[\\[basic\\]\\]"),
        ('[[compound]]\nname = "X"\nof = ["fear"]\n', "'of' must name two basic classes"),
        ('[[compound]]\nname = "X, Y"\nof = ["fear", "surprise"]\n', "may not hold a comma"),
        ("[[basic]]\ndescriptions = ['no name']\n", "has no 'name'"),
        ("[colours]\n", "unknown table"),
    ],
)
def test_malformed_class_files_are_named_errors(tmp_path, extra, message):
    with pytest.raises(ExportError, match=message):
        read_class_set(_write(tmp_path, BASIC + extra))


def test_the_command_reports_a_bad_class_file_on_one_line_before_reading_weights(tmp_path):
    for extra, message in (
        ('[[basic]]\nname = "sad"\ndescriptions = []\n', "class 'sad' has no description"),
        ('[[basic]]\nname = "fear"\ndescriptions = ["again"]\n', "appear more than once"),
    ):
        path = _write(tmp_path, BASIC + extra)
        # The weights file does not exist: the class file is checked first.
        args = ("--clip", "ViT-B-32", "--weights", str(tmp_path / "w.pt"), "--classes", str(path))
        result = cli("packs", "text-classes", *args, "--name", "x", "--out", str(tmp_path / "engines"))
        assert result.code == 2, result.stderr
        assert message in result.stderr and result.stderr.count("\n") == 1
        assert not (tmp_path / "engines").exists()
