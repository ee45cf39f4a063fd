"""Whatever people type is shown as text: never as markup, script or an htmx attribute.

The property test writes hostile text into every text cell of every table through the real
cell endpoint (as htmx does), and into the names that come from elsewhere (organization,
flywheel, audit), then reads every page, panel and fragment as an editor and as a viewer.
"""

import re
import string
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import CharField, TextField
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from audits.content import guidance
from audits.content.document import NO
from audits.content.sample import build_small_audit
from audits.content.tables import TABLES, rows_of
from audits.models import Audit, Flywheel, FrictionPoint, Membership, Organization
from audits.views.steps import PANELS

Role = Membership.Role
HTMX = {"HX-Request": "true"}

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '" hx-get="/evil" x="',
    "'><svg onload=alert(1)>",
    "{{ 7*7 }}",
    "{% csrf_token %}",
    "</textarea><b>bold</b>",
    '<a href="javascript:alert(1)">x</a>',
    "hx-on::load=alert(1)",
    "&lt;b&gt;",
    "&amp;",
]
# Characters that escaping always changes: the raw text cannot appear in escaped output.
MARKUP = set("<>\"'")

words = st.text(alphabet=string.ascii_letters + string.digits + " <>\"'&=/-:;.(){}", min_size=1, max_size=8)
payloads = (
    st.lists(st.one_of(st.sampled_from(ATTACKS), words, st.just("hx-"), st.just(" & ")), min_size=1, max_size=4)
    .map(lambda parts: "".join(parts).strip()[:80])
    .filter(bool)
)

# Every free-text field of every editable table (choices, numbers and dates are not free text).
TEXT_FIELDS = {
    kind: [
        name
        for name in table.fields()
        if isinstance(field := table.model._meta.get_field(name), CharField | TextField) and not field.choices
    ]
    for kind, table in TABLES.items()
}
TEXT_FIELDS = {kind: fields for kind, fields in TEXT_FIELDS.items() if fields}

# What each page must show, escaped: (kind, field) of the values written above.
SHOWN = {
    ("audits:audit", ""): [("audit", "title"), ("flywheel", "name"), ("organization", "name")],
    ("audits:step", "strategy"): [("strategy", "principle"), ("strategy", "approach")],
    ("audits:step", "metrics"): [("metric", "name"), ("metric", "unit"), ("metric", "activity")],
    ("audits:step", "forces"): [
        ("team", "name"),
        *(("force", name) for name in ("name", "before", "now", "planned_change", "owner")),
    ],
    ("audits:step", "identify"): [("friction", "source"), ("friction", "teams")],
    ("audits:step", "automate"): [("friction", "source"), ("friction", "automation")],
    ("audits:step", "goals"): [("friction", "new_goal")],
    ("audits:step", "restructure"): [("friction", "restructure"), ("assessment", "notes")],
    ("audits:step", "summary"): [("friction", "source"), ("friction", "automation"), ("force", "planned_change")],
    ("audits:panel", "diagram"): [("strategy", "approach"), ("metric", "name"), ("flywheel", "name")],
    ("audits:panel", "conversions"): [("metric", "name")],
    ("audits:panel", "forces-summary"): [("force", "name"), ("team", "name")],
    ("audits:panel", "progress"): [],
    ("audits:panel", "session"): [],  # no audit text: the timer, the step, the join link
}


def test_every_page_is_checked():
    steps = {page for name, page in SHOWN if name == "audits:step"}
    panels = {page for name, page in SHOWN if name == "audits:panel"}
    assert steps == {step.key for step in guidance.STEPS}
    assert panels == PANELS


def page_url(name: str, page: str, audit: Audit) -> str:
    kwargs = {"audit_id": audit.pk}
    if name == "audits:step":
        kwargs["step"] = page
    elif name == "audits:panel":
        kwargs["name"] = page
    return reverse(name, kwargs=kwargs)


def value_for(kind: str, field: str, payload: str, max_length: int | None) -> str:
    """The payload, tagged with where it goes (so each page's check is precise) and cut to fit."""
    text = f"{kind[:3]}.{field[:3]}:{payload}"
    # Cut to fit, then stripped as the forms strip it.
    return (text[:max_length] if max_length else text).strip()


def assert_escaped(html: str, values, where: str, shown=()) -> None:
    for value in values:
        if MARKUP & set(value):
            assert value not in html, f"unescaped {value!r} in {where}"
    for value in shown:
        assert escape(value) in html, f"{value!r} is missing from {where}"


@pytest.fixture
def workshop(organization, flywheel, member_factory):
    audit = build_small_audit(flywheel)
    editor, viewer = Client(), Client()
    editor.force_login(member_factory(Role.OWNER))
    viewer.force_login(member_factory(Role.VIEWER))
    return audit, editor, viewer


def save(client: Client, audit: Audit, kind: str, row, field: str, value: str, **headers):
    url = reverse("audits:row-cell", kwargs={"audit_id": audit.pk, "kind": kind, "row_id": row.pk})
    stored = getattr(row, field)
    original = "" if stored is None else str(stored)
    return client.post(url, {"field": field, "value": value, "original": original}, headers=headers or HTMX)


def write_everywhere(audit: Audit, editor: Client, payload: str, kinds=tuple(TEXT_FIELDS)) -> dict:
    """Write the payload into every text cell (of these tables), and the names; return the values by (kind, field)."""
    written = {}
    for kind in kinds:
        for field in TEXT_FIELDS[kind]:
            max_length = TABLES[kind].model._meta.get_field(field).max_length
            # Team names are unique within an audit (tables.TeamForm): the second team on gets " 2", " 3"…
            unique = kind == "team"
            value = value_for(kind, field, payload, max_length - 3 if unique and max_length else max_length)
            written[(kind, field)] = value
            for number, row in enumerate(rows_of(kind, audit), start=1):
                typed = f"{value} {number}" if unique and number > 1 else value
                response = save(editor, audit, kind, row, field, typed)
                assert response.status_code == 200, (kind, field, response.content)
                assert_escaped(response.content.decode(), [typed], f"{kind}.{field} cell", shown=[typed])
    for model, lookup, field in (
        (Organization, {"pk": audit.flywheel.organization_id}, "name"),
        (Flywheel, {"pk": audit.flywheel_id}, "name"),
        (Flywheel, {"pk": audit.flywheel_id}, "description"),
        (Audit, {"pk": audit.pk}, "title"),
    ):
        value = value_for(model._meta.model_name, field, payload, model._meta.get_field(field).max_length)
        model.objects.filter(**lookup).update(**{field: value})
        written[(model._meta.model_name, field)] = value
    return written


def reopen_later_steps(audit: Audit, editor: Client) -> None:
    """Answer "No" on two rows, so the goals and restructuring steps have rows to show."""
    rows = list(FrictionPoint.objects.filter(audit=audit).order_by("position", "pk"))
    save(editor, audit, "friction", rows[0], "automation", NO)
    save(editor, audit, "friction", rows[1], "automation", NO)
    rows[1].refresh_from_db()
    save(editor, audit, "friction", rows[1], "new_goal", NO)


@hypothesis_settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=payloads)
@example(payload="<script>alert(1)</script>")
@example(payload="<img src=x onerror=alert(1)>")
@example(payload='" hx-get="/evil" x="')
@example(payload="'><svg onload=alert(1)>")
@example(payload="{{ 7*7 }} {% csrf_token %}")
def test_it_escapes_what_people_type_on_every_page(workshop, payload):
    audit, editor, viewer = workshop
    written = write_everywhere(audit, editor, payload)
    reopen_later_steps(audit, editor)
    values = list(written.values())
    for (name, page), shown in SHOWN.items():
        for client in (editor, viewer):
            response = client.get(page_url(name, page, audit))
            assert response.status_code == 200
            assert_escaped(response.content.decode(), values, f"{name} {page}", [written[key] for key in shown])
    if "{{ 7*7 }}" in payload:
        html = editor.get(page_url("audits:step", "identify", audit)).content.decode()
        assert escape(written[("friction", "source")]) in html  # template syntax in text stays literal


@hypothesis_settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=payloads)
@example(payload="<script>alert(1)</script>")
@example(payload='" hx-get="/evil" x="')
def test_it_escapes_what_people_type_in_fragments_and_refusals(workshop, payload):
    audit, editor, viewer = workshop
    written = write_everywhere(audit, editor, payload, kinds=["force"])
    values = list(written.values())
    force = rows_of("force", audit).first()
    # A cell fetched on its own ("take theirs" after a conflict).
    url = reverse("audits:row-cell", kwargs={"audit_id": audit.pk, "kind": "force", "row_id": force.pk})
    response = editor.get(url, {"field": "name"}, headers=HTMX)
    assert_escaped(response.content.decode(), values, "cell fragment", [written[("force", "name")]])
    # Refused: not a number, and too long. What was typed comes back, escaped, beside the error.
    reading = rows_of("reading", audit).first()
    not_a_number = f"x{payload}"  # a payload alone may be a number ("0")
    response = save(editor, audit, "reading", reading, "gained", not_a_number)
    assert response.status_code == 422
    assert_escaped(response.content.decode(), [not_a_number], "refused number", [not_a_number])
    metric = rows_of("metric", audit).first()
    too_long = f"{payload} {'x' * 40}"
    response = save(editor, audit, "metric", metric, "unit", too_long)
    assert response.status_code == 422
    assert_escaped(response.content.decode(), [too_long], "refused unit", [too_long])
    # A conflict shows the value someone else saved, and what was typed.
    typed = f"mine {payload}"
    response = editor.post(url, {"field": "name", "value": typed, "original": "stale"}, headers=HTMX)
    assert response.status_code == 409
    assert_escaped(response.content.decode(), [typed, *values], "conflict", [typed, written[("force", "name")]])
    # Without JavaScript the conflict is a message on the page.
    response = editor.post(url, {"field": "name", "value": typed, "original": "stale"}, follow=True)
    assert_escaped(response.content.decode(), [typed, *values], "conflict message", [written[("force", "name")]])
    # The ideas for a force, as a fragment and as a page.
    ideas = reverse("audits:force-ideas", kwargs={"audit_id": audit.pk, "row_id": force.pk})
    fragment = editor.get(ideas, headers=HTMX).content.decode()
    assert_escaped(fragment, values, "ideas fragment", [written[("force", "planned_change")]])
    page = editor.get(ideas).content.decode()
    assert_escaped(page, values, "ideas page", [written[("force", "name")]])
    # A refused add-row form is redrawn with what was typed.
    add = reverse("audits:row-add", kwargs={"audit_id": audit.pk, "kind": "friction"})
    response = editor.post(add, {"friction-source": payload, "friction-origin": "nowhere"}, headers=HTMX)
    assert response.status_code == 422
    assert_escaped(response.content.decode(), [payload, *values], "refused add form", [payload])


# --- Nothing marks user text as safe -----------------------------------------------------------

UNSAFE = re.compile(r"\|\s*safe(seq)?\b|mark_safe\s*\(|SafeString\s*\(|\{%\s*autoescape\s+off\s*%\}")
# Plain-text e-mails: nothing in them is ever read as HTML.
ALLOWED = {
    Path("templates/registration/password_reset_email.html"),
    Path("templates/registration/signup_confirm_email.txt"),
    Path("templates/registration/signup_exists_email.txt"),
}


def test_nothing_turns_escaping_off():
    root = Path(settings.BASE_DIR)
    found = []
    for folder in ("templates", "audits"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in {".html", ".txt", ".py"} or path.relative_to(root) in ALLOWED:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if UNSAFE.search(line):
                    found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert found == []
