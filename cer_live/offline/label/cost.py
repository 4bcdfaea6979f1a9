"""Prices, token estimates and the running bill.

Prices are US dollars per million tokens, from Anthropic's public price list on the date
below; the Message Batches API costs half. Override them with --prices FILE (JSON or TOML:
{"date": "...", "models": {"MODEL": {"input": 3.0, "output": 15.0}}}).
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import LabelError

PRICES_DATE = "2025-11-24"
PRICES: dict[str, tuple[float, float]] = {  # model -> (input, output) USD per million tokens
    "claude-opus-4-5": (5.0, 25.0),
    "claude-opus-4-1": (15.0, 75.0),
    "claude-opus-4-0": (15.0, 75.0),
    "claude-sonnet-4-5": (3.0, 15.0),
    "claude-sonnet-4-0": (3.0, 15.0),
    "claude-haiku-4-5": (1.0, 5.0),
    "claude-3-5-haiku-latest": (0.8, 4.0),
}
BATCH_DISCOUNT = 0.5
IMAGE_PIXELS_PER_TOKEN = 750  # Anthropic's rule of thumb for image tokens
TEXT_CHARS_PER_TOKEN = 3.5  # a conservative guess for English prompts
MESSAGE_OVERHEAD_TOKENS = 20  # role markers and the image block's framing


@dataclass(frozen=True)
class Price:
    model: str
    input: float  # USD per million input tokens
    output: float
    date: str

    def cost(self, input_tokens: int, output_tokens: int, batch: bool) -> float:
        usd = (input_tokens * self.input + output_tokens * self.output) / 1e6
        return usd * (BATCH_DISCOUNT if batch else 1.0)


def _read_table(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".toml":
            if sys.version_info >= (3, 11):
                import tomllib
            else:  # pragma: no cover - Python 3.10
                import tomli as tomllib
            return tomllib.loads(text)
        return json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LabelError(f"cannot read --prices '{path}' ({exc}); give JSON or TOML as in docs/label.md") from exc


def price_for(model: str, prices_file: Path | None) -> Price | None:
    """The model's price (the file's, when it names the model), or None when unknown."""
    if prices_file is not None:
        table = _read_table(prices_file)
        entry = table.get("models", {}).get(model) if isinstance(table, dict) else None
        if entry is not None:
            try:
                return Price(
                    model, float(entry["input"]), float(entry["output"]), str(table.get("date", prices_file.name))
                )
            except (KeyError, TypeError, ValueError) as exc:
                raise LabelError(
                    f"--prices '{prices_file}': model '{model}' needs numeric 'input' and 'output'"
                ) from exc
    if model in PRICES:
        return Price(model, *PRICES[model], PRICES_DATE)
    return None


def input_tokens(width: int, height: int, prompt_text: str) -> int:
    """Estimated input tokens of one request: image (w*h/750) + prompt text + framing."""
    image = math.ceil(width * height / IMAGE_PIXELS_PER_TOKEN)
    return image + math.ceil(len(prompt_text) / TEXT_CHARS_PER_TOKEN) + MESSAGE_OVERHEAD_TOKENS


@dataclass
class Bill:
    """Tokens and dollars so far, and a cap that stops new requests before it is passed."""

    price: Price | None
    max_cost: float | None
    input_tokens: int = 0
    output_tokens: int = 0
    spent: float = 0.0
    reserved: float = 0.0  # worst case of requests in flight
    by_mode: dict[str, float] = field(default_factory=dict)

    def worst_case(self, est_input: int, max_tokens: int, batch: bool) -> float:
        if self.price is None:
            return 0.0
        return self.price.cost(est_input, max_tokens, batch)

    def can_afford(self, worst: float) -> bool:
        return self.max_cost is None or self.spent + self.reserved + worst <= self.max_cost + 1e-12

    def reserve(self, worst: float) -> None:
        self.reserved += worst

    def release(self, worst: float) -> None:
        self.reserved = max(0.0, self.reserved - worst)

    def add(self, input_tokens: int, output_tokens: int, batch: bool) -> float:
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        usd = self.price.cost(input_tokens, output_tokens, batch) if self.price else 0.0
        self.spent += usd
        mode = "batch" if batch else "sync"
        self.by_mode[mode] = self.by_mode.get(mode, 0.0) + usd
        return usd
