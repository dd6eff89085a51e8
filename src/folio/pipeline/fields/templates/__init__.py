"""The built-in templates, by name."""

from __future__ import annotations

from collections.abc import Callable

from folio.pipeline.fields.templates.invoice import invoice_template
from folio.pipeline.fields.templates.key_values import key_values_template
from folio.pipeline.fields.templates.receipt import receipt_template
from folio.pipeline.fields.templates.sale_deed import sale_deed_template
from folio.pipeline.fields.types import Template

BUILTINS: dict[str, Callable[[], Template]] = {
    "invoice": invoice_template,
    "receipt": receipt_template,
    "sale_deed": sale_deed_template,
    "key_values": key_values_template,
}


def builtin_templates() -> list[Template]:
    return [make() for make in BUILTINS.values()]


def get_template(name: str) -> Template:
    """A fresh copy of the built-in template ``name`` (KeyError when unknown)."""
    return BUILTINS[name]()


__all__ = ["BUILTINS", "builtin_templates", "get_template"]
