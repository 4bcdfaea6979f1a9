"""Every requirement of aiohttp and Ray in pyproject.toml excludes releases with published
advisories: aiohttp before 3.12.14, Ray before token authentication was on by default (2.59)."""

import re

import tomllib

from .helpers import ROOT

FLOORS = {"aiohttp": (3, 12, 14), "ray": (2, 59)}


def test_the_extras_floors_exclude_releases_with_advisories():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    seen = set()
    for requirement in requirements:
        match = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(.*)$", requirement)
        name, spec = match.group(1).lower(), match.group(2)
        if name in FLOORS:
            floor = re.search(r">=\s*([0-9.]+)", spec)
            assert floor, f"'{requirement}' has no lower bound"
            assert tuple(int(p) for p in floor.group(1).split(".")) >= FLOORS[name], requirement
            seen.add(name)
    assert seen == set(FLOORS)
