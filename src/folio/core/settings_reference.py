"""Every ``FOLIO_*`` setting with its type, default and description, read from ``config.py``.

A setting's description is its ``Field(description=...)`` or else its entry in
``SETTING_DESCRIPTIONS``; its type is the annotation as written in the class. The reference is
generated from there (``folio settings``, the docs' configuration page), never copied by hand.
"""

from __future__ import annotations

import ast
import html
import inspect
import json
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from folio.config import SETTING_DESCRIPTIONS, Settings

ENV_PREFIX = "FOLIO_"


@dataclass(frozen=True)
class SettingDoc:
    name: str  # the field name, e.g. "data_dir"
    type: str  # as written in config.py
    default: str  # a display form: JSON, "unset" or "computed at start"
    description: str  # "" when config.py has none (a test forbids it)

    @property
    def variable(self) -> str:
        return ENV_PREFIX + self.name.upper()


def settings_reference(prefixes: tuple[str, ...] = ()) -> list[SettingDoc]:
    """The settings in ``config.py`` order; ``prefixes`` (``crawler_`` or ``FOLIO_CRAWLER_``)
    keep those whose name starts with one of them."""
    annotations = _annotations()
    wanted = tuple(p.lower().removeprefix(ENV_PREFIX.lower()) for p in prefixes)
    return [
        SettingDoc(
            name=name,
            type=annotations.get(name, str(info.annotation)),
            default=_default_text(info),
            description=info.description or SETTING_DESCRIPTIONS.get(name, ""),
        )
        for name, info in Settings.model_fields.items()
        if not wanted or name.startswith(wanted)
    ]


def _annotations() -> dict[str, str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(Settings)))
    body = tree.body[0]
    assert isinstance(body, ast.ClassDef)
    return {
        node.target.id: ast.unparse(node.annotation)
        for node in body.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }


def _default_text(info: FieldInfo) -> str:
    if info.default_factory is not None:
        value: Any = info.default_factory()  # type: ignore[call-arg]
        if not isinstance(value, dict | list):
            return "computed at start"  # e.g. the CPU count: the description says
    else:
        value = info.default
    if value is None:
        return "unset"
    if isinstance(value, Path):
        return str(value)
    return json.dumps(value, separators=(", ", ": "))


def markdown_table(docs: list[SettingDoc]) -> str:
    rows = ["| variable | type | default | description |", "|---|---|---|---|"]
    for doc in docs:
        cells = (_code(doc.variable), _code(doc.type), _code(doc.default), doc.description)
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def _code(text: str) -> str:
    """A code span that may hold ``|`` inside a table cell (Markdown's backticks may not)."""
    return "<code>" + html.escape(text).replace("|", "&#124;") + "</code>"


def plain_text(docs: list[SettingDoc]) -> str:
    return "".join(
        f"{doc.variable}  ({doc.type}; default {doc.default})\n    {doc.description}\n"
        for doc in docs
    )
