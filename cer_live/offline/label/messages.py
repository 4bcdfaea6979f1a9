"""One Messages API request: the crop as a base64 JPEG, then the prompt."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .store import Key


@dataclass(frozen=True)
class Job:
    """One (crop, prompt, model) to ask about."""

    key: Key
    crop: Path  # absolute path of the JPEG whose sha256 is key.sha256
    prompt_text: str
    est_input_tokens: int


@dataclass(frozen=True)
class Reply:
    text: str
    input_tokens: int
    output_tokens: int


def params(job: Job, max_tokens: int) -> dict[str, Any]:
    """Sampling is left at the model's default, as in the paper (newer SDKs and models drop `temperature`)."""
    data = base64.standard_b64encode(job.crop.read_bytes()).decode("ascii")
    return {
        "model": job.key.model,
        "max_tokens": max_tokens,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": data}},
                    {"type": "text", "text": job.prompt_text},
                ],
            }
        ],
    }


def reply_of(message: Any) -> Reply:
    """The text blocks of a Message joined, and its usage."""
    text = "".join(getattr(block, "text", "") for block in message.content if getattr(block, "type", "") == "text")
    usage = message.usage
    return Reply(text, int(usage.input_tokens or 0), int(usage.output_tokens or 0))
