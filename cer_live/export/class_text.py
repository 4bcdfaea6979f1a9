"""Classes described in words (a CLASSES.toml), read and checked before any model is loaded.

Two tables of classes. `[[basic]]`: a name and several descriptions. `[[compound]]`: a name,
the two basic classes it combines (`of`), and a `rule`: "mean" builds its embedding from the
normalised mean of the two basic embeddings (EmoCLIP's rule for compound expressions), while
"descriptions" encodes its own descriptions as a basic class does.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import ExportError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

RULES = ("mean", "descriptions")
_BASIC_KEYS = {"name", "descriptions"}
_COMPOUND_KEYS = {"name", "descriptions", "of", "rule"}


@dataclass(frozen=True)
class TextClass:
    name: str
    descriptions: tuple[str, ...]
    of: tuple[str, str] | None = None  # compound classes: the two basic classes it combines
    rule: str = "descriptions"  # how its embedding is made (RULES)


@dataclass(frozen=True)
class ClassSet:
    basic: tuple[TextClass, ...]
    compound: tuple[TextClass, ...]
    source: str  # the file it was read from, for the manifest

    @property
    def basic_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.basic)

    @property
    def compound_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.compound)


def default_classes_path() -> Path:
    """The project's own descriptions of the seven basic and seven ABAW compound classes."""
    return Path(str(resources.files("cer_live.export") / "classes_default.toml"))


def read_class_set(path: Path) -> ClassSet:
    """The classes of a CLASSES.toml; ExportError (one line, naming the class and the fix) if malformed."""
    if not path.is_file():
        raise ExportError(f"--classes '{path}' does not exist; pass a CLASSES.toml (see docs/emoclip.md)")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ExportError(f"--classes '{path.name}' is not valid TOML ({exc}); fix the file") from exc
    unknown = sorted(set(data) - {"basic", "compound"})
    if unknown:
        raise ExportError(f"'{path.name}': unknown table(s) {unknown}; only [[basic]] and [[compound]] are read")
    basic = tuple(_class(path, raw, "basic", _BASIC_KEYS) for raw in _list(path, data, "basic"))
    compound = tuple(_class(path, raw, "compound", _COMPOUND_KEYS) for raw in _list(path, data, "compound"))
    if not basic:
        raise ExportError(f"'{path.name}' has no [[basic]] class; describe at least the basic classes")
    names = [c.name for c in basic + compound]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ExportError(f"'{path.name}': class name(s) {repeated} appear more than once; give each class one entry")
    for c in compound:
        if c.of is not None and not set(c.of) <= set(names[: len(basic)]):
            raise ExportError(
                f"'{path.name}': compound '{c.name}' combines {list(c.of)}, but only "
                f"{list(names[: len(basic)])} are [[basic]] classes; fix its 'of'"
            )
    return ClassSet(basic=basic, compound=compound, source=str(path))


def _list(path: Path, data: dict, table: str) -> list:
    value = data.get(table, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ExportError(f"'{path.name}': '{table}' must be an array of tables, written [[{table}]]")
    return value


def _class(path: Path, raw: dict, table: str, keys: set[str]) -> TextClass:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ExportError(f"'{path.name}': a [[{table}]] entry has no 'name'; give every class a name")
    where = f"'{path.name}': {table} class '{name}'"
    if "," in name:
        raise ExportError(f"{where}: a class name may not hold a comma (packs list classes comma-separated)")
    extra = sorted(set(raw) - keys)
    if extra:
        raise ExportError(f"{where} has unknown key(s) {extra}; the keys are {sorted(keys)}")
    descriptions = raw.get("descriptions", [])
    if isinstance(descriptions, str) or not isinstance(descriptions, list):
        raise ExportError(f"{where}: 'descriptions' must be a list of strings, e.g. [\"a face ...\"]")
    descriptions = [d.strip() for d in descriptions if isinstance(d, str) and d.strip()]
    if len(descriptions) != len(raw.get("descriptions", [])):
        raise ExportError(f"{where}: every description must be a non-empty string")
    of = raw.get("of")
    if of is not None and (not isinstance(of, list) or len(of) != 2 or not all(isinstance(v, str) for v in of)):
        raise ExportError(f'{where}: \'of\' must name two basic classes, e.g. of = ["fear", "surprise"]')
    rule = raw.get("rule", "mean" if of is not None else "descriptions")
    if rule not in RULES:
        raise ExportError(f"{where}: rule '{rule}' is not one of {list(RULES)}")
    if rule == "mean" and of is None:
        raise ExportError(f"{where}: rule 'mean' needs 'of', the two basic classes to average")
    if rule == "descriptions" and not descriptions:
        raise ExportError(f"{where} has no description; add descriptions = [...] (or rule = \"mean\" with 'of')")
    return TextClass(name=name.strip(), descriptions=tuple(descriptions), of=tuple(of) if of else None, rule=rule)
