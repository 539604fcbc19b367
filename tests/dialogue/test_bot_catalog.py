"""Every bot string used in the dialogue code has a translation in every catalog.

The msgids are found statically with ``ast`` (which joins implicitly concatenated literals):
string literals passed as the msgid to ``t(...)``, ``say.t(...)``, ``say.ask(...)``,
``_miss(...)`` and ``<texts>.gettext(lang, ...)``, plus the booking flow's PENDING questions
and its CODE_PROMPT / DIGITS_PROMPT. A name passed as the msgid is followed to string literals
assigned to it in the same function or at module level; anything else is skipped.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

import kontakt
from kontakt.i18n import Translations

DIALOGUE = Path(kontakt.__file__).parent / "dialogue"
BOOKING_TEXTS = DIALOGUE / "flows" / "booking_texts.py"
# Callables whose second positional argument is a msgid: t(turn, msgid), say.t(t, msgid),
# say.ask(t, msgid, reason), _miss(t, reason), say.reprompt(t, reason),
# ctx.texts.gettext(lang, msgid).
# and handoff's _t(ctx, lang, msgid), whose msgid is the third argument.
MSGID_CALLS = {"t": 1, "ask": 1, "_miss": 1, "reprompt": 1, "gettext": 1, "_t": 2}
CONSTANTS = {"CODE_PROMPT", "DIGITS_PROMPT"}


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return node.value
    return None


def _assigned_strings(body: list[ast.stmt]) -> dict[str, set[str]]:
    """``name = "literal"`` assignments in a scope (not descending into nested functions)."""
    found: dict[str, set[str]] = {}
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.Assign | ast.AnnAssign):
            value = _literal(node.value)
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if value is not None and isinstance(target, ast.Name):
                    found.setdefault(target.id, set()).add(value)
        stack.extend(ast.iter_child_nodes(node))
    return found


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


class _Extractor(ast.NodeVisitor):
    def __init__(self, module: ast.Module) -> None:
        self.scopes = [_assigned_strings(module.body)]
        self.msgids: set[str] = set()

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scopes.append(_assigned_strings(node.body))
        self.generic_visit(node)
        self.scopes.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Call(self, node: ast.Call) -> None:
        position = MSGID_CALLS.get(_callee(node.func) or "")
        if position is not None and len(node.args) > position:
            arg = node.args[position]
            literal = _literal(arg)
            if literal is not None:
                self.msgids.add(literal)
            elif isinstance(arg, ast.Name):
                for scope in (self.scopes[-1], self.scopes[0]):
                    if arg.id in scope:
                        self.msgids |= scope[arg.id]
                        break
        self.generic_visit(node)


def _booking_constants() -> set[str]:
    module = ast.parse(BOOKING_TEXTS.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in module.body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        if names & CONSTANTS and (value := _literal(node.value)):
            found.add(value)
        if "PENDING" in names and isinstance(node.value, ast.Dict):
            found |= {v for v in map(_literal, node.value.values) if v is not None}
    return found


def bot_msgids() -> set[str]:
    msgids: set[str] = set()
    for path in sorted(DIALOGUE.rglob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"), str(path))
        extractor = _Extractor(module)
        extractor.visit(module)
        msgids |= extractor.msgids
    return msgids | _booking_constants()


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


MSGIDS = sorted(bot_msgids())
TEXTS = Translations("kontakt")


def test_extraction_finds_the_booking_strings() -> None:
    # Guards the extractor itself: concatenated literals, names, PENDING and constants.
    assert "Back to your booking:" in MSGIDS
    assert "Do you want to cancel this visit: {service}, {place}, {when}?" in MSGIDS
    assert any(m.startswith("Your visit is booked:") and m.endswith("number.") for m in MSGIDS)
    assert "Which of the offered times suits you?" in MSGIDS
    assert any(m.startswith("Please give the confirmation code") for m in MSGIDS)
    assert any(m.startswith("Hello! I am the virtual assistant") for m in MSGIDS)


@pytest.mark.parametrize("lang", ["pl", "uk", "en"])
def test_every_bot_string_is_translated(lang: str) -> None:
    catalog = TEXTS.catalog(lang)
    missing = [m for m in MSGIDS if not catalog.get(m)]
    assert missing == [], f"{lang}: {len(missing)} msgids without a translation"


@pytest.mark.parametrize("lang", ["pl", "uk", "en"])
def test_translations_keep_the_placeholders(lang: str) -> None:
    catalog = TEXTS.catalog(lang)
    wrong = {
        msgid: sorted(placeholders(text))
        for msgid, text in catalog.items()
        if placeholders(text) != placeholders(msgid)
    }
    assert wrong == {}
