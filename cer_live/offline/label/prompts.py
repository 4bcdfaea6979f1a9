"""The paper's two prompts (Table 1) with stable ids, and custom prompts read from a file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import LabelError


@dataclass(frozen=True)
class Prompt:
    id: str  # stored with every reply; a new text must get a new id
    text: str


# Verbatim from the paper's Table 1, including its "Disgustingly Surprised".
PAPER_1 = Prompt(
    "paper1",
    "Which of the following expressions is the expression in the image: 'Happily Surprised', "
    "'Sadly Fearful', 'Sadly Angry', 'Sadly Surprised', 'Fearfully Surprised', 'Angrily Surprised', "
    "'Disgustingly Surprised'? No explanation needed, just give me the name of a category",
)
PAPER_2 = Prompt(
    "paper2",
    "Which of these expressions in the picture is like 'Happily Surprised', 'Sadly Fearful', "
    "'Sadly Angry', 'Sadly Surprised', 'Fearfully Surprised', 'Angrily Surprised' or "
    "'Disgustingly Surprised'? No need for an explanation, just give me the name of a category.",
)
BUILTIN: dict[str, Prompt] = {p.id: p for p in (PAPER_1, PAPER_2)}


def from_file(path: Path) -> Prompt:
    """A custom prompt; its id carries a digest of the text so that editing the file never reuses old replies."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelError(f"cannot read --prompt-file '{path}' ({exc}); give a UTF-8 text file") from exc
    if not text:
        raise LabelError(f"--prompt-file '{path}' is empty; write the question to ask about each face")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]
    return Prompt(f"file-{digest}", text)


def choose(prompt_id: str, prompt_file: Path | None, consensus: bool) -> tuple[Prompt, ...]:
    """The prompts asked about every face: one, or the paper's two with --consensus."""
    if consensus:
        if prompt_file is not None:
            raise LabelError("--consensus asks the paper's two prompts; drop --prompt-file or --consensus")
        return (PAPER_1, PAPER_2)
    if prompt_file is not None:
        return (from_file(prompt_file),)
    if prompt_id not in BUILTIN:
        raise LabelError(f"unknown --prompt '{prompt_id}'; choose {', '.join(BUILTIN)} or give --prompt-file")
    return (BUILTIN[prompt_id],)
