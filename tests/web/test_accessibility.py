"""The pages' forms are usable without sight of the layout: every input and choice has a label tied to it
(``<label for=...>``), and an error is tied to its field (``aria-describedby``, ``aria-invalid``)."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from oncotrial.store import Store
from tests.web.conftest import TRIAL
from tests.web.test_patients import enrolled, screening_form_data

LoggedIn = Callable[[str], tuple[TestClient, str]]


class Controls(HTMLParser):
    """The ids of the page's visible inputs and selects, and the ``for`` of its labels."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("input", "select", "textarea") and found.get("type") != "hidden":
            self.controls.append(found)
        if tag == "label" and found.get("for"):
            self.labelled.add(str(found["for"]))


def unlabelled(html: str) -> list[str]:
    parser = Controls()
    parser.feed(html)
    assert parser.controls, "the page has no form"
    return [str(c.get("name")) for c in parser.controls if c.get("id") not in parser.labelled]


def test_every_input_of_every_form_has_a_label(web_store: Store, client: TestClient, logged_in: LoggedIn) -> None:
    subject_id = enrolled(web_store)
    assert unlabelled(client.get("/login").text) == []
    investigator, _ = logged_in("inv1")
    for path in ("/tokens", f"/trials/{TRIAL}/patients", f"/trials/{TRIAL}/patients/{subject_id}/screening"):
        assert unlabelled(investigator.get(path).text) == [], path


def test_an_error_is_tied_to_its_field(web_store: Store, logged_in: LoggedIn) -> None:
    subject_id = enrolled(web_store)
    browser, csrf = logged_in("coord1")
    html = browser.post(
        f"/trials/{TRIAL}/patients/{subject_id}/screening", data=screening_form_data(csrf, **{"ecog.value": "seven"})
    ).text
    assert 'aria-describedby="f-ecog-value-hint f-ecog-value-error" aria-invalid="true"' in html
