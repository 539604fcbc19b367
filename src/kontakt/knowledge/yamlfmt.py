"""Canonical YAML: one byte-exact layout for content files, so export(import(x)) == x."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

# libyaml's C emitter/parser are ~20x faster than the pure-Python ones and produce the same
# text for our documents; the pure-Python classes remain the fallback.
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CanonicalDumper(_BaseDumper):  # type: ignore[valid-type,misc]
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _date(dumper: yaml.SafeDumper, value: date) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


_CanonicalDumper.add_representer(str, _str)
_CanonicalDumper.add_representer(date, _date)


def dump(data: Any) -> str:
    """Dump with fixed key order (as given), block style, UTF-8 text and no line folding."""
    return yaml.dump(
        data,
        Dumper=_CanonicalDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1_000_000,
        indent=2,
    )


def load(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader


def normalize_text(value: str) -> str:
    """Strip trailing spaces per line and around the whole text.

    Literal block scalars cannot carry trailing spaces, so keeping them would make the
    canonical form unstable; they carry no meaning in an answer anyway.
    """
    lines = [line.rstrip() for line in value.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()
