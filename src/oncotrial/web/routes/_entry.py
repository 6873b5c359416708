"""What the simple entry forms share (enrolment, consent, follow-up): their inputs as data, reading what was typed,
placing the store's refusal at its input, and the one template that renders them (``entry_form.html``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from oncotrial.errors import DataError
from oncotrial.store.audit import Actor
from oncotrial.web.forms import FormErrors, typed_text
from oncotrial.web.routes._common import render

__all__ = ["EntryForm", "Input", "parse_number", "render_entry", "typed_in"]


@dataclass(frozen=True)
class Input:
    """One input of a form: a text field, or a choice among ``options`` ((value, text) pairs)."""

    name: str
    label: str
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()
    required: bool = False


@dataclass(frozen=True)
class EntryForm:
    """A form: its inputs in order, and the words of its submit button."""

    inputs: tuple[Input, ...]
    submit: str

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs)

    def refused(self, exc: DataError, typed: dict[str, str], errors: FormErrors | None = None) -> FormErrors:
        """``errors`` (new ones keeping ``typed``) with the store's refusal at its input, or above the form when
        the field it names is not one of the inputs."""
        return (errors if errors is not None else FormErrors(typed=typed)).refused(exc, self.names)


def typed_in(form: FormData, entry: EntryForm) -> dict[str, str]:
    """What was typed into each input of ``entry``, stripped (an input left out reads as empty)."""
    return typed_text(form, entry.names)


def parse_number(text: str, *, field: str, errors: FormErrors) -> float | None:
    """A number typed (empty: None); a problem is added to ``errors`` when it cannot be read."""
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        errors.add(field, f"{text} is not a number: give digits, e.g. 64")
        return None


def render_entry(
    request: Request,
    actor: Actor,
    entry: EntryForm,
    errors: FormErrors,
    *,
    heading: str,
    action: str,
    back: tuple[str, str],
    status: int = 200,
    intro: str = "",
) -> HTMLResponse:
    """The form page: ``heading``, the inputs with their errors and what was typed, posted to ``action``; ``back``
    is the (address, words) of the link above it."""
    context: dict[str, Any] = {
        "actor": actor,
        "entry": entry,
        "errors": errors,
        "heading": heading,
        "action": action,
        "back": back,
        "intro": intro,
    }
    return render(request, "entry_form.html", context, status=status)
