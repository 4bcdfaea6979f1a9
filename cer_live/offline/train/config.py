"""Training configuration: defaults from the reference recipe, a TOML file, then CLI overrides."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import tomllib

from ...validate import Range, check_all
from ..errors import TrainError

REFERENCE_ORDER = ("mobilenet_v2", "resnet152", "densenet121", "resnet18", "densenet201")
# The reference recipe's means, read as BGR (the order OpenCV decodes), as the export reads them.
REFERENCE_MEAN = (0.367, 0.411, 0.507)


@dataclass(frozen=True)
class Augment:
    rotation: float = 10.0  # degrees, either way
    scale: tuple[float, float] = (0.8, 1.0)  # RandomResizedCrop area range
    flip: bool = True
    jitter: tuple[float, float, float, float] = (0.5, 0.7, 0.3, 0.5)  # brightness, contrast, saturation, hue


@dataclass(frozen=True)
class TrainConfig:
    data: str = ""
    val: str = ""  # a separate validation set; else the data's own split, else val_fraction of it
    format: str = "auto"  # auto, rafdb, labels, folders
    val_fraction: float = 0.1
    archs: tuple[str, ...] = REFERENCE_ORDER
    epochs: int = 20
    batch_size: int = 64  # per process; the paper's 64 (the reference code used 32)
    lr: float = 1e-4  # the paper's; the reference code used 1e-3
    weight_decay: float = 0.0
    size: int = 224
    colour: str = "bgr"
    mean: tuple[float, float, float] = REFERENCE_MEAN
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    tau: float = 1.0
    dice_weight: float = 1.5
    augment: Augment = field(default_factory=Augment)
    seed: int = 0
    workers: int = 2
    threads: int = 0  # torch CPU threads per process; 0: torch's default
    pretrained: str = "auto"  # auto | none | PATH
    init: str = ""  # a stage-1 run folder: start from its checkpoints
    device: str = "auto"
    rafdb_map: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(asdict(self)))  # tuples -> lists, as TOML holds them


# Options that may change when a run resumes; everything else must match the saved config.
RESUMABLE = ("epochs", "workers", "threads", "device")


def _coerce(name: str, value: Any) -> Any:
    default = getattr(TrainConfig(), name)
    try:
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, tuple):
            value = tuple(type(default[0])(v) if default else str(v) for v in value)
            ok = not default or len(value) == len(default) or name == "archs"
        elif isinstance(default, float):
            value, ok = float(value), not isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, str):
            ok = isinstance(value, str)
        else:
            ok = isinstance(value, dict)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise TrainError(f"bad config value for '{name}': {value!r} (default {default!r}); fix the TOML file or option")
    return value


def _augment(raw: Any) -> Augment:
    if not isinstance(raw, dict):
        raise TrainError("config 'augment' must be a table: [augment] rotation = 10 ...")
    known = {f.name for f in fields(Augment)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise TrainError(f"unknown key(s) {unknown} in [augment]; known: {', '.join(sorted(known))}")
    base = asdict(Augment())
    base.update(raw)
    try:
        return Augment(
            rotation=float(base["rotation"]),
            scale=(float(base["scale"][0]), float(base["scale"][1])),
            flip=bool(base["flip"]),
            jitter=tuple(float(v) for v in base["jitter"]),  # type: ignore[arg-type]
        )
    except (TypeError, ValueError, IndexError):
        raise TrainError(f"bad [augment] table {raw}; see docs/training.md for its keys") from None


def from_mapping(raw: dict[str, Any], base: TrainConfig | None = None) -> TrainConfig:
    """A config from a TOML-like mapping over `base`; unknown keys are errors, not ignored."""
    known = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise TrainError(f"unknown config key(s) {unknown}; known: {', '.join(sorted(known))}")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        values[name] = _augment(value) if name == "augment" else _coerce(name, value)
    return validate(replace(base or TrainConfig(), **values))


def load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise TrainError(f"config file '{path}' does not exist") from None
    except IsADirectoryError:
        raise TrainError(f"config file '{path}' is a folder; give a TOML file") from None
    except UnicodeDecodeError as exc:
        raise TrainError(
            f"config file '{path}' is not UTF-8 text (byte {exc.start} cannot be read); save it as UTF-8 TOML"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise TrainError(f"config file '{path}' is not valid TOML ({exc})") from None


def validate(config: TrainConfig) -> TrainConfig:
    aug = config.augment
    check_all(
        (
            ("epochs", config.epochs, Range(1, 100_000, "epochs", integer=True)),
            ("batch_size", config.batch_size, Range(2, 65_536, "images (BatchNorm needs two)", integer=True)),
            ("lr", config.lr, Range(0, 10, low_open=True)),
            ("weight_decay", config.weight_decay, Range(0, 10)),
            ("size", config.size, Range(32, 1024, "pixels", integer=True)),
            ("val_fraction", config.val_fraction, Range(0, 1, low_open=True)),
            ("tau", config.tau, Range(0, 100)),
            ("dice_weight", config.dice_weight, Range(0, 100)),
            ("seed", config.seed, Range(0, 2**32 - 1, integer=True)),
            ("workers", config.workers, Range(0, 256, "processes", integer=True)),
            ("threads", config.threads, Range(0, 1024, "threads (0 = torch's choice)", integer=True)),
            ("augment.rotation", aug.rotation, Range(0, 180, "degrees")),
            *(("mean", v, Range(-10, 10)) for v in config.mean),
            *(("std", v, Range(0, 10, low_open=True)) for v in config.std),
            *(("augment.scale", v, Range(0, 1, low_open=True)) for v in aug.scale),
            *(("augment.jitter", v, Range(0, 10)) for v in aug.jitter),
        ),
        TrainError,
        "bad config",
    )
    checks = [
        (config.val_fraction < 1.0, "val_fraction must be between 0 and 1"),
        (config.colour in ("bgr", "rgb"), "colour must be bgr or rgb"),
        (len(config.archs) == len(set(config.archs)) and config.archs, "archs must name each architecture once"),
        (aug.scale[0] <= aug.scale[1], "augment.scale must be 0 < low <= high <= 1"),
    ]
    for ok, problem in checks:
        if not ok:
            raise TrainError(f"bad config: {problem}")
    return config


def to_toml(config: TrainConfig) -> str:
    """The config as TOML that `--config` reads back (json strings are valid TOML strings)."""
    data = config.as_dict()
    tables = {k: data.pop(k) for k in ("augment", "rafdb_map")}
    lines = [f"{k} = {json.dumps(v)}" for k, v in data.items()]
    for name, table in tables.items():
        lines.append(f"\n[{name}]")
        lines.extend(f"{json.dumps(str(k))} = {json.dumps(v)}" for k, v in table.items())
    return "\n".join(lines) + "\n"
