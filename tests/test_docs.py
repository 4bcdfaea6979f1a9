"""The documentation keeps up with the code: every option of every sub-command is in the command
reference, and the embedding example on the docs site is the one the README's test runs."""

from __future__ import annotations

import argparse
import importlib
import re

import pytest

from cer_live.cli import COMMANDS, HANDED_OVER

from .helpers import ROOT

EMBEDDING = re.compile(r"<!-- embedding example -->\s*```python\n(.*?)```", re.S)


def _parser(name: str) -> argparse.ArgumentParser:
    sub = argparse.ArgumentParser(prog="cer-live").add_subparsers(dest="command")
    if name in HANDED_OVER:
        importlib.import_module(HANDED_OVER[name][0]).add_parser(sub)
    else:
        importlib.import_module(f"cer_live.commands.{name}").add_parser(sub, [argparse.ArgumentParser(add_help=False)])
    return sub.choices[name]


def _options(parser: argparse.ArgumentParser) -> set[str]:
    found = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found |= _options(child)
        found |= {o for o in action.option_strings if o.startswith("--") and o != "--help"}
    return found


def _sections(page: str) -> dict[str, str]:
    parts = re.split(r"^## cer-live (\w+)\s*$", page, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("name", [*COMMANDS, *HANDED_OVER])
def test_every_option_of_every_sub_command_is_in_the_command_reference(name):
    sections = _sections((ROOT / "docs" / "cli.md").read_text(encoding="utf-8"))
    assert name in sections, f"docs/cli.md has no '## cer-live {name}' section"
    missing = sorted(o for o in _options(_parser(name)) if f"`{o}" not in sections[name])
    assert not missing, f"docs/cli.md, cer-live {name}: no row for {missing}"


def test_the_docs_site_shows_the_embedding_example_the_readme_test_runs():
    readme = EMBEDDING.search((ROOT / "README.md").read_text(encoding="utf-8"))
    page = EMBEDDING.search((ROOT / "docs" / "run.md").read_text(encoding="utf-8"))
    assert readme and page and readme.group(1) == page.group(1)
