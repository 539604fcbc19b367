"""An Outcome as plain JSON data: what the API returns and what BotReplied keeps."""

from __future__ import annotations

import dataclasses
from typing import Any

from kontakt.dialogue.outcome import Outcome


def to_json(outcome: Outcome) -> dict[str, Any]:
    data = dataclasses.asdict(outcome)
    data["type"] = outcome.type
    return data
