"""What a viewer may see: rows hidden for anonymous input and running vote totals reach no renderer.

Every page, fragment, export, comparison and API answer loads the audit through
`visibility.document_for`; these tests read each of them as another participant and as a guest.
"""

import ast
import io
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from pptx import Presentation

import audits
from audits.accounts.guests import GUEST_SESSION_KEY
from audits.accounts.visibility import Viewer, row_hidden_from
from audits.content.editing import delete_row
from audits.content.starting import start_audit
from audits.live import room as live_room
from audits.models import ApiToken, FrictionPoint, Membership, Vote, Workshop

from .factories import (
    AuditFactory,
    ForceFactory,
    FrictionPointFactory,
    MembershipFactory,
    MetricFactory,
    ReadingFactory,
    UserFactory,
)

Role = Membership.Role
HTMX = {"HX-Request": "true"}
SECRET_FRICTION = "BEN-SECRET-FRICTION"
SECRET_FORCE = "BEN-SECRET-FORCE"


def text_of(response) -> str:
    """Everything a response shows: its body, or every cell and text frame of a workbook or deck."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] != b"PK":
        return content.decode()
    if "spreadsheetml" in response["Content-Type"]:
        book = openpyxl.load_workbook(io.BytesIO(content))
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    deck = Presentation(io.BytesIO(content))
    texts = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
        if slide.has_notes_slide:
            texts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(texts)


@pytest.fixture
def room(organization, flywheel, owner):
    """Last year's audit and this year's, mid-workshop: friction and forces hidden, Ben's new rows in both."""
    last_year = AuditFactory(flywheel=flywheel, title="Last year", period_year=2024)
    audit = AuditFactory(flywheel=flywheel, title="This year", period_year=2025)
    start_audit(audit)
    metric = MetricFactory(audit=audit, stage="attract", name="Visitors")
    ReadingFactory(metric=metric, period_start=date(2025, 1, 1), gained=10)
    FrictionPointFactory(audit=audit, source="Known before hiding")
    facilitator = MembershipFactory(organization=organization, role=Role.FACILITATOR).user
    anna = MembershipFactory(organization=organization, role=Role.PARTICIPANT, user=UserFactory(username="anna")).user
    ben = MembershipFactory(organization=organization, role=Role.PARTICIPANT, user=UserFactory(username="ben")).user
    live_room.hide_step(audit, "identify", named=False)
    live_room.hide_step(audit, "forces", named=False)
    ben_friction = FrictionPointFactory(audit=audit, source=SECRET_FRICTION, author=ben)
    ben_force = ForceFactory(audit=audit, team=audit.teams.first(), name=SECRET_FORCE, author=ben)
    link = live_room.open_join_link(audit, facilitator, hours=4)
    guest = live_room.join_as_guest(link, "Gita")
    return {
        "audit": audit,
        "last_year": last_year,
        "facilitator": facilitator,
        "anna": anna,
        "ben": ben,
        "guest": guest,
        "friction": ben_friction,
        "force": ben_force,
        "link": link,
    }


def client_of(user, guest_of=None) -> Client:
    client = Client()
    client.force_login(user)
    if guest_of is not None:
        session = client.session
        session[GUEST_SESSION_KEY] = guest_of.pk
        session.save()
    return client


@pytest.fixture
def anna(room):
    return client_of(room["anna"])


@pytest.fixture
def gita(room):
    return client_of(room["guest"], guest_of=room["audit"])


def renderer_urls(room) -> dict[str, str]:
    audit, flywheel_id = room["audit"], room["audit"].flywheel_id
    pair = f"?before={room['last_year'].pk}&after={audit.pk}"
    urls = {
        f"export {file_format}": reverse("audits:audit-export", args=[audit.pk, file_format])
        for file_format in ("json", "xlsx", "pptx")
    }
    urls |= {
        f"compare export {file_format}": reverse("audits:compare-export", args=[flywheel_id, file_format]) + pair
        for file_format in ("json", "xlsx", "pptx")
    }
    urls |= {
        "compare page": reverse("audits:compare", args=[flywheel_id]) + pair,
        "history": reverse("audits:history", args=[flywheel_id]),
        "overview": audit.get_absolute_url(),
        "identify step": reverse("audits:step", args=[audit.pk, "identify"]),
        "forces step": reverse("audits:step", args=[audit.pk, "forces"]),
        "summary step": reverse("audits:step", args=[audit.pk, "summary"]),
        "forces panel": reverse("audits:panel", args=[audit.pk, "forces-summary"]),
        "diagram panel": reverse("audits:panel", args=[audit.pk, "diagram"]),
    }
    return urls


RENDERERS = [
    *(f"export {f}" for f in ("json", "xlsx", "pptx")),
    *(f"compare export {f}" for f in ("json", "xlsx", "pptx")),
    "compare page",
    "history",
    "overview",
    "identify step",
    "forces step",
    "summary step",
    "forces panel",
    "diagram panel",
]


@pytest.mark.parametrize("renderer", RENDERERS)
def test_another_participant_reads_no_hidden_row_anywhere(room, anna, renderer):
    response = anna.get(renderer_urls(room)[renderer])
    assert response.status_code == 200, renderer
    text = text_of(response)
    assert SECRET_FRICTION not in text and SECRET_FORCE not in text
    if renderer.startswith("export"):
        assert "Known before hiding" in text  # rows from before hiding stay


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_guest_reads_no_hidden_row_anywhere(room, gita, renderer):
    response = gita.get(renderer_urls(room)[renderer])
    assert response.status_code in (200, 302), renderer  # pages of the flywheel send a guest back to the audit
    text = text_of(response)
    assert SECRET_FRICTION not in text and SECRET_FORCE not in text


def test_the_author_and_the_facilitator_download_the_hidden_rows(room):
    url = reverse("audits:audit-export", args=[room["audit"].pk, "json"])
    assert SECRET_FRICTION in client_of(room["ben"]).get(url).content.decode()
    facilitators = client_of(room["facilitator"]).get(url).content.decode()
    assert SECRET_FRICTION in facilitators and SECRET_FORCE in facilitators


def test_the_api_shows_a_participant_no_hidden_row(room):
    _, token = ApiToken.issue(room["anna"], "BI")
    headers = {"Authorization": f"Bearer {token}"}
    audit = Client().get(reverse("audits:api-audit", args=[room["audit"].pk]), headers=headers)
    pair = {"before": room["last_year"].pk, "after": room["audit"].pk}
    compared = Client().get(reverse("audits:api-compare"), pair, headers=headers)
    for response in (audit, compared):
        assert response.status_code == 200
        assert SECRET_FRICTION not in response.content.decode() and SECRET_FORCE not in response.content.decode()


def test_after_the_reveal_everyone_reads_every_row(room, anna):
    live_room.reveal_step(room["audit"], "identify")
    live_room.reveal_step(room["audit"], "forces")
    text = text_of(anna.get(reverse("audits:audit-export", args=[room["audit"].pk, "xlsx"])))
    assert SECRET_FRICTION in text and SECRET_FORCE in text


# --- Hidden rows are a 404 on every route ----------------------------------------------------------


def test_the_ideas_page_of_a_hidden_force_is_a_404(room, anna, gita):
    url = reverse("audits:force-ideas", args=[room["audit"].pk, room["force"].pk])
    for client in (anna, gita):
        response = client.get(url)
        assert response.status_code == 404
        assert SECRET_FORCE not in response.content.decode()
    assert client_of(room["ben"]).get(url).status_code == 200


@pytest.mark.parametrize("kind", ["friction", "force"])
def test_voting_on_a_hidden_row_is_a_404(room, anna, gita, kind):
    live_room.set_voting(room["audit"], True, votes_per_person=3)
    url = reverse("audits:vote", args=[room["audit"].pk, kind, room[kind].pk])
    for client in (anna, gita):
        response = client.post(url, headers=HTMX)
        assert response.status_code == 404
        assert SECRET_FRICTION not in response.content.decode() and SECRET_FORCE not in response.content.decode()
    assert not Vote.objects.exists()


def test_restoring_a_hidden_deleted_row_is_a_404(room, anna):
    url = reverse("audits:row-restore", args=[room["audit"].pk, "friction", room["friction"].pk])
    delete_row(room["audit"], room["friction"], room["ben"])
    assert anna.post(url).status_code == 404
    assert not FrictionPoint.objects.filter(source=SECRET_FRICTION).exists()


# --- Votes and authors ------------------------------------------------------------------------------


def test_a_deleted_row_written_in_the_millisecond_its_step_was_hidden_stays_hidden(room):
    """A deletion's snapshot keeps `created` to the millisecond: 0.4 ms after the hiding reads as the same
    millisecond, and the row must still count as written after it (it was: hidden from others)."""
    workshop = Workshop.objects.get(audit=room["audit"])
    workshop.hidden_steps["identify"] = "2026-03-02T10:00:00.123456+00:00"
    snapshot = FrictionPoint(audit=room["audit"], source="x", author=room["ben"])
    snapshot.created = datetime.fromisoformat("2026-03-02T10:00:00.123+00:00")  # written at .123856
    anna = Viewer(room["anna"].pk, sees_all=False)
    assert row_hidden_from(anna, workshop, "friction", snapshot)
    assert not row_hidden_from(Viewer(room["ben"].pk, sees_all=False), workshop, "friction", snapshot)


def test_running_vote_totals_are_in_no_export_until_voting_closes(room):
    audit = room["audit"]
    live_room.reveal_step(audit, "identify")
    live_room.set_voting(audit, True, votes_per_person=3)
    live_room.cast_vote(audit, room["ben"], "friction", room["friction"].pk)
    url = reverse("audits:audit-export", args=[audit.pk, "json"])

    def votes_seen_by(user) -> list[int]:
        data = json.loads(client_of(user).get(url).content)
        return [row["votes"] for row in data["friction"]]

    assert votes_seen_by(room["anna"]) == [0, 0]
    assert votes_seen_by(room["facilitator"]) == [0, 0]
    live_room.set_voting(audit, False)
    assert sorted(votes_seen_by(room["anna"])) == [0, 1]


# --- Locks hold on restore --------------------------------------------------------------------------


def test_a_participant_cannot_restore_a_row_on_a_locked_step(room, anna):
    audit = room["audit"]
    mine = FrictionPointFactory(audit=audit, source="Anna's row", author=room["anna"])
    url = reverse("audits:row-restore", args=[audit.pk, "friction", mine.pk])
    delete_row(audit, mine, room["anna"])
    live_room.set_locked(audit, "identify", True)
    response = anna.post(url, headers=HTMX)
    assert response.status_code == 423
    assert "locked" in response.content.decode()
    plain = anna.post(url, follow=True)
    assert "locked this step" in plain.content.decode()
    assert not FrictionPoint.objects.filter(source="Anna's row").exists()
    # The facilitator is never locked out.
    assert client_of(room["facilitator"]).post(url).status_code == 302
    assert FrictionPoint.objects.filter(source="Anna's row").exists()


# --- The way back, the API and caches ----------------------------------------------------------------


@pytest.mark.parametrize(
    "referer",
    ["http://testserver//evil.example/x", "http://testserver/\\evil.example/x", "http://evil.example/audits/"],
)
def test_the_way_back_never_leaves_the_site(room, anna, referer):
    audit = room["audit"]
    live_room.set_voting(audit, True, votes_per_person=3)
    row = FrictionPoint.objects.get(source="Known before hiding")
    vote = anna.post(reverse("audits:vote", args=[audit.pk, "friction", row.pk]), headers={"referer": referer})
    cell = anna.post(
        reverse("audits:row-cell", args=[audit.pk, "friction", row.pk]),
        {"field": "owner", "value": "Ana", "original": ""},
        headers={"referer": referer},
    )
    for response in (vote, cell):
        assert response.status_code == 302
        location = response["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location


def test_the_way_back_keeps_a_same_site_page_and_its_query(room, anna):
    audit = room["audit"]
    live_room.set_voting(audit, True, votes_per_person=3)
    row = FrictionPoint.objects.get(source="Known before hiding")
    page = reverse("audits:step", args=[audit.pk, "identify"]) + "?tab=2"
    response = anna.post(
        reverse("audits:vote", args=[audit.pk, "friction", row.pk]), headers={"referer": f"http://testserver{page}"}
    )
    assert response["Location"] == page


def test_a_guest_pass_gives_no_api_access(room):
    """A member of another organization who joined the workshop as a guest reads it in the app, not the API."""
    stranger = MembershipFactory(role=Role.OWNER).user
    live_room.join_as_user(room["link"], stranger)
    assert client_of(stranger).get(room["audit"].get_absolute_url()).status_code == 200
    _, token = ApiToken.issue(stranger, "BI")
    headers = {"Authorization": f"Bearer {token}"}
    assert Client().get(reverse("audits:api-audit", args=[room["audit"].pk]), headers=headers).status_code == 404
    pair = {"before": room["last_year"].pk, "after": room["audit"].pk}
    assert Client().get(reverse("audits:api-compare"), pair, headers=headers).status_code == 404


@pytest.mark.parametrize("file_format", ["json", "xlsx", "pptx"])
def test_downloads_are_never_cached(room, anna, file_format):
    audit = room["audit"]
    urls = [
        reverse("audits:audit-export", args=[audit.pk, file_format]),
        reverse("audits:compare-export", args=[audit.flywheel_id, file_format])
        + f"?before={room['last_year'].pk}&after={audit.pk}",
    ]
    for url in urls:
        response = anna.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"


def test_only_the_visibility_module_loads_documents_for_renderers():
    """A new page, export or API answer cannot forget what its viewer may see: it has no other way to load an audit.

    Allowed besides visibility.py: carrying an audit forward (facilitators, who see every row, make next
    year's audit from all of it) and the management commands (operators on the server).
    """
    package = Path(audits.__file__).parent
    allowed = {
        package / "accounts" / "visibility.py",
        package / "content" / "carry.py",
        package / "content" / "document.py",
    }
    offenders = []
    for path in package.rglob("*.py"):
        if path in allowed or "management" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            imports_load = isinstance(node, ast.ImportFrom) and (node.module or "").endswith("document")
            if imports_load and any(alias.name == "load" for alias in node.names):
                offenders.append(str(path.relative_to(package)))
            if isinstance(node, ast.Attribute) and node.attr == "load" and getattr(node.value, "id", "") == "document":
                offenders.append(str(path.relative_to(package)))
    assert not offenders, f"load documents through visibility.document_for: {offenders}"
