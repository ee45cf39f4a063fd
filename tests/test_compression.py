"""Pages reach a workshop's wifi gzipped: a step page of a few dozen rows is ~340 kB of cells, ~17 kB gzipped."""

import gzip
import re

from django.urls import reverse

from audits.content import editing
from audits.content.tables import TABLES

from .factories import FrictionPointFactory

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=|"x-csrftoken":\s*)"\w+"')


def without_tokens(html: str) -> str:
    """The page without its CSRF tokens, which are masked afresh for every response."""
    return TOKEN.sub(r'\1""', html)


def test_a_step_page_is_sent_gzipped_to_a_browser_and_plain_to_a_client_without_gzip(owner_client, audit):
    for number in range(30):
        FrictionPointFactory(audit=audit, source=f"Friction source number {number}")
    url = reverse("audits:step", args=[audit.pk, "identify"])
    plain = owner_client.get(url)
    zipped = owner_client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert plain.status_code == zipped.status_code == 200
    assert not plain.has_header("Content-Encoding")
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    unpacked = gzip.decompress(zipped.content).decode()
    assert without_tokens(unpacked) == without_tokens(plain.content.decode())
    assert "Friction source number 29" in unpacked
    assert len(zipped.content) * 5 < len(plain.content)


def test_a_stored_poll_answer_is_gzipped_once_not_twice(owner_client, audit, owner):
    row = FrictionPointFactory(audit=audit)
    since = audit.content_version
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Field sales", "", owner)
    url = reverse("audits:audit-changes", kwargs={"audit_id": audit.pk})
    asked = {"since": since, "step": "identify"}
    drawn = owner_client.get(url, asked, HTTP_ACCEPT_ENCODING="gzip")
    stored = owner_client.get(url, asked, HTTP_ACCEPT_ENCODING="gzip")
    for response in (drawn, stored):
        assert response["Content-Encoding"] == "gzip"
        html = gzip.decompress(response.content).decode()
        assert html.startswith("<") and "Field sales" in html
