"""Whatever is typed or crafted into a form or a query, the answer is never a server error.

Property tests throw odd strings (empty, 10,000 characters, NUL, "%00", CRLF, bidi overrides,
combining marks, emoji, markup, spreadsheet formulas) and odd numbers ("nan", "inf", "1e400",
2**63, "1,5", full-width and Persian digits) at every form, query and facilitator control, as
plain posts and as htmx, multipart and urlencoded. The test client re-raises a view's exception,
so a crash fails the test as surely as a 5xx status does.

The database is built once per test function; what one example changes stays for the next, which
is fine for a property that holds in every state. An `@example` marked "WAS A 500" pins a crash
this test found, so that it stays fixed.
"""

from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from audits.content import guidance
from audits.content.carry import carry_forward
from audits.content.sample import build_small_audit
from audits.content.tables import TABLES, rows_of
from audits.live import room
from audits.models import ApiToken, Invitation, Membership
from audits.views.steps import PANELS

from .factories import PASSWORD

Role = Membership.Role
HTMX = {"HX-Request": "true"}

ODD_TEXTS = [
    "",
    " ",
    "x" * 10_000,
    "\x00",
    "a\x00b",
    "%00",
    "\r\n",
    "a\nb",
    "/a\r\nb",
    "//evil.example/",
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "\u202eevil\u202c",  # right-to-left override
    "e\u0301\u0301\u0301\u0301",  # combining marks
    "👩\u200d👩\u200d👧\u200d👦",  # emoji joined by zero-width joiners
    "\ufeff",
    "\u00a0",
    "../../etc/passwd",
    "'; DROP TABLE audits_audit; --",
    "None",
    "on",
    "up",
    "remove",
]
ODD_NUMBERS = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e400",
    "-1e400",
    "-1",
    "0",
    "-0",
    str(2**63),
    str(-(2**63) - 1),
    "9" * 400,
    "9" * 5_000,  # past int()'s 4,300-digit limit
    "1,5",
    "1.5",
    "１２",  # full-width digits
    "۱۲",  # Persian digits
    "0x10",
    "1_000",
    " 7 ",
    "2025-02-30",
    "9999-12-31",
]
# Hypothesis's own unicode text too: anything a form can carry (lone surrogates cannot be UTF-8 encoded).
odd = st.one_of(
    st.sampled_from(ODD_TEXTS + ODD_NUMBERS), st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
)

# Mostly the odd numbers, for the fields that take a number.
odd_number = st.one_of(st.sampled_from(ODD_NUMBERS), odd)


def odd_or(*valid: str) -> st.SearchStrategy[str]:
    """An odd value, or sometimes one the form expects, so that the view goes past its first check."""
    return st.one_of(st.sampled_from(valid), odd)


# The facilitate view's actions, as the session panel posts them.
ACTIONS = [
    "lead",
    "timer-start",
    "timer-pause",
    "timer-resume",
    "timer-add",
    "timer-stop",
    "lock",
    "unlock",
    "hide",
    "reveal",
    "voting-open",
    "voting-close",
    "votes-clear",
    "link-open",
    "link-revoke",
]
# The ones that read a field besides `action`.
ACTIONS_WITH_FIELDS = ["lead", "timer-start", "lock", "unlock", "hide", "reveal", "voting-open", "link-open"]
STEP_KEYS = [step.key for step in guidance.STEPS]
ADDABLE = [kind for kind, table in TABLES.items() if table.can_add]
SAVED = None  # in a cell edit: the cell's saved value as the original, as the page sends it


def add_fields(kind: str) -> list[str]:
    return ["period"] if kind == "reading" else list(TABLES[kind].add_fields)


# (kind, {field: (typed value, original)}) covering every field of the table.
cell_edits = st.sampled_from(sorted(TABLES)).flatmap(
    lambda kind: st.tuples(
        st.just(kind),
        st.fixed_dictionaries(
            {field: st.tuples(odd, st.one_of(st.just(SAVED), odd)) for field in TABLES[kind].fields()}
        ),
    )
)
# (kind, {field: value}) covering every field of the kind's add form.
row_adds = st.sampled_from(ADDABLE).flatmap(
    lambda kind: st.tuples(st.just(kind), st.fixed_dictionaries(dict.fromkeys(add_fields(kind), odd)))
)


def examples(count: int) -> hypothesis_settings:
    """A property's settings: `count` examples, each against the database built once for the test function."""
    return hypothesis_settings(
        max_examples=count, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )


def send(client, method: str, url: str, data: dict, *, htmx: bool = False, urlencoded: bool = False):
    """Send the request and check the answer is no server error (a view's exception fails the test by itself)."""
    headers = HTMX if htmx else {}
    if method == "get":
        response = client.get(url, data, headers=headers)
    elif urlencoded:
        body = urlencode(data)
        response = client.post(url, body, content_type="application/x-www-form-urlencoded", headers=headers)
    else:
        response = client.post(url, data, headers=headers)
    assert response.status_code < 500, (method, url, data)
    return response


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(organization, flywheel, owner, outsider, member_factory):
    """A sample audit (every table, every friction state), its carried-forward audit and people in every role."""
    audit = build_small_audit(flywheel)
    carried = carry_forward(audit)  # the one with action reviews
    facilitator = member_factory(Role.FACILITATOR, username="fiona")
    participant = member_factory(Role.PARTICIPANT, username="paul")
    return {
        "organization": organization,
        "flywheel": flywheel,
        "audit": audit,
        "carried": carried,
        "owner": owner,
        "participant": participant,
        "link": room.open_join_link(audit, owner, hours=24),
        "clients": {
            "owner": logged_in(owner),
            "facilitator": logged_in(facilitator),
            "participant": logged_in(participant),
            "outsider": logged_in(outsider),
        },
    }


# --- The facilitator's controls and the live page's requests --------------------------------------


@examples(20)
@given(
    action=odd_or(*ACTIONS),
    fields=st.fixed_dictionaries(
        {
            "step": odd_or(*STEP_KEYS),
            "minutes": odd_number,
            "votes": odd_number,
            "hours": odd_number,
            "named": odd_or("on"),
        }
    ),
    htmx=st.booleans(),
    urlencoded=st.booleans(),
)
# Once 500s: int(float("nan")) and int(float("inf")) in the votes and hours parsing.
@example(
    action="voting-open",
    fields={"step": "", "minutes": "", "votes": "nan", "hours": "", "named": ""},
    htmx=True,
    urlencoded=False,
)
@example(
    action="link-open",
    fields={"step": "", "minutes": "", "votes": "", "hours": "inf", "named": ""},
    htmx=False,
    urlencoded=True,
)
def test_no_facilitator_control_fails(world, action, fields, htmx, urlencoded):
    """Each action that reads a field, and one more (any action, or an odd one), with the same odd fields."""
    url = reverse("audits:facilitate", kwargs={"audit_id": world["audit"].pk})
    client = world["clients"]["facilitator"]
    for each in [*ACTIONS_WITH_FIELDS, action]:
        send(client, "post", url, {"action": each, **fields}, htmx=htmx, urlencoded=urlencoded)


@examples(30)
@given(step=odd, since=odd, panel=st.sampled_from(sorted(PANELS)))
def test_no_poll_presence_panel_or_presenter_fails(world, step, since, panel):
    audit_id = world["audit"].pk
    for who in ("facilitator", "participant"):
        client = world["clients"][who]
        send(client, "post", reverse("audits:presence", kwargs={"audit_id": audit_id}), {"step": step})
        send(client, "get", reverse("audits:audit-changes", kwargs={"audit_id": audit_id}), {"since": since})
        panel_url = reverse("audits:panel", kwargs={"audit_id": audit_id, "name": panel})
        send(client, "get", panel_url, {"step": step}, htmx=True)
    send(
        world["clients"]["facilitator"], "get", reverse("audits:present", kwargs={"audit_id": audit_id}), {"step": step}
    )


@examples(25)
@given(
    kind=st.sampled_from(sorted(room.VOTABLE)), direction=odd_or("remove", "add"), votes=odd_or("3"), htmx=st.booleans()
)
def test_no_vote_fails(world, kind, direction, votes, htmx):
    audit = world["audit"]
    facilitate = reverse("audits:facilitate", kwargs={"audit_id": audit.pk})
    send(world["clients"]["facilitator"], "post", facilitate, {"action": "voting-open", "votes": votes})
    row = rows_of(kind, audit).order_by("pk").first()
    url = reverse("audits:vote", kwargs={"audit_id": audit.pk, "kind": kind, "row_id": row.pk})
    send(world["clients"]["participant"], "post", url, {"direction": direction}, htmx=htmx)


# --- Editing the tables ---------------------------------------------------------------------------


@examples(50)
@given(
    cell=cell_edits,
    field=odd,
    label=odd,
    who=st.sampled_from(["facilitator", "participant"]),
    htmx=st.booleans(),
    urlencoded=st.booleans(),
)
# WAS A 500 (audits/content/editing.py save_cell): an original of "nan" or "inf" in a decimal cell passes
# _python_value (to_python alone) as Decimal("NaN"), then the conditional update's filter raises
# ValidationError ("“NaN” value must be a decimal number.").
@example(
    cell=("reading", {"value": ("1", "nan")}), field="value", label="", who="participant", htmx=True, urlencoded=False
)
# WAS A 500 on PostgreSQL only (audits/content/editing.py save_cell): an original holding NUL reaches the
# filter unvalidated: DataError "PostgreSQL text fields cannot contain NUL (0x00) bytes".
@example(
    cell=("team", {"name": ("1", "a\x00b")}), field="name", label="", who="participant", htmx=True, urlencoded=False
)
def test_no_cell_save_fails(world, cell, field, label, who, htmx, urlencoded):
    """Every field of the table's row gets an odd value, against its saved value or an odd original."""
    kind, edits = cell
    audit = world["carried"] if kind == "review" else world["audit"]
    row_id = rows_of(kind, audit).order_by("pk").values_list("pk", flat=True).first()
    url = reverse("audits:row-cell", kwargs={"audit_id": audit.pk, "kind": kind, "row_id": row_id})
    client = world["clients"][who]
    for name, (value, original) in edits.items():
        if original is SAVED:
            saved = rows_of(kind, audit).values_list(name, flat=True).get(pk=row_id)
            original = "" if saved is None else str(saved)
        fields = {"field": name, "value": value, "original": original, "label": label}
        send(client, "post", url, fields, htmx=htmx, urlencoded=urlencoded)
    send(client, "get", url, {"field": field, "label": label}, htmx=True)
    send(client, "post", url, {"field": field, "value": label}, htmx=htmx)


@examples(40)
@given(
    add=row_adds,
    group=st.one_of(st.just(SAVED), odd),
    who=st.sampled_from(["facilitator", "participant"]),
    htmx=st.booleans(),
    urlencoded=st.booleans(),
)
# WAS A 500 (audits/views/rows.py _group): a `group` that is no whole number ("nan", "1.5", " ")
# goes straight to get_object_or_404(Team/Metric, pk=...), which raises ValueError
# ("Field 'id' expected a number but got 'nan'.").
@example(
    add=("force", {"name": "x", "before": "", "now": ""}), group="nan", who="participant", htmx=True, urlencoded=False
)
def test_no_row_add_fails(world, add, group, who, htmx, urlencoded):
    """Every field of the kind's add form gets an odd value; so may the team or metric it goes under."""
    kind, values = add
    audit = world["audit"]
    parent = {"force": audit.teams.first(), "reading": audit.metrics.first()}.get(kind)
    prefix = f"{kind}-{parent.pk}" if parent else kind
    data = {f"{prefix}-{field}": value for field, value in values.items()}
    data["group"] = str(parent.pk) if group is SAVED and parent else (group or "")
    url = reverse("audits:row-add", kwargs={"audit_id": audit.pk, "kind": kind})
    send(world["clients"][who], "post", url, data, htmx=htmx, urlencoded=urlencoded)


@examples(40)
@given(
    kind=st.sampled_from(ADDABLE),
    operation=st.sampled_from(["move", "move", "move", "delete"]),
    direction=odd_or("up", "down"),
    who=st.sampled_from(["facilitator", "participant"]),
    htmx=st.booleans(),
    urlencoded=st.booleans(),
)
def test_no_row_move_or_delete_fails(world, kind, operation, direction, who, htmx, urlencoded):
    audit = world["audit"]
    row = rows_of(kind, audit).order_by("-pk").first()
    row_id = row.pk if row else 1  # all deleted by earlier examples: a 404 now
    url = reverse(f"audits:row-{operation}", kwargs={"audit_id": audit.pk, "kind": kind, "row_id": row_id})
    send(world["clients"][who], "post", url, {"direction": direction}, htmx=htmx, urlencoded=urlencoded)


# --- Audits, flywheels, organizations -------------------------------------------------------------


@examples(40)
@given(
    audit_fields=st.fixed_dictionaries(
        {
            "title": odd_or("Audit"),
            "period_year": odd_or("2026"),
            "workshop_date": odd_or("2026-03-01"),
            "language": odd_or("en", "fa"),
            "status": odd_or("draft"),
        }
    ),
    flywheel_fields=st.fixed_dictionaries({"name": odd_or("Enterprise"), "description": odd}),
    urlencoded=st.booleans(),
)
def test_no_audit_or_flywheel_form_fails(world, audit_fields, flywheel_fields, urlencoded):
    flywheel, audit = world["flywheel"], world["audit"]
    for url, fields in [
        (reverse("audits:audit-create", kwargs={"flywheel_id": flywheel.pk}), audit_fields),
        (reverse("audits:audit-edit", kwargs={"audit_id": audit.pk}), audit_fields),
        (reverse("audits:flywheel-create"), flywheel_fields),
        (reverse("audits:flywheel-edit", kwargs={"flywheel_id": flywheel.pk}), flywheel_fields),
    ]:
        send(world["clients"]["owner"], "post", url, fields, urlencoded=urlencoded)


@examples(30)
@given(name=odd, organization=odd, role=odd_or(*Role.values), note=odd, token=odd, urlencoded=st.booleans())
def test_no_organization_form_fails(world, name, organization, role, note, token, urlencoded):
    client = world["clients"]["owner"]
    organization_id = world["organization"].pk
    membership = Membership.objects.get(user=world["participant"])
    invitation, _token = Invitation.issue(world["organization"], Role.PARTICIPANT, world["owner"])
    ids = {"organization_id": organization_id}
    for url, fields in [
        (reverse("audits:organization-create"), {"name": name}),
        (reverse("audits:organization-switch"), {"organization": organization}),
        (reverse("audits:member-role", kwargs={**ids, "membership_id": membership.pk}), {"role": role}),
        (reverse("audits:invitation-create", kwargs=ids), {"role": role, "note": note}),
        (reverse("audits:invitation-revoke", kwargs={**ids, "invitation_id": invitation.pk}), {"note": note}),
    ]:
        send(client, "post", url, fields, urlencoded=urlencoded)
    # Back to the organization we started in, whatever the switch above did.
    send(client, "post", reverse("audits:organization-switch"), {"organization": organization_id})
    send(Client(), "get", f"/invitations/{quote(token, safe='')}/", {})


# --- Comparing and history ------------------------------------------------------------------------


@examples(30)
@given(before=odd, after=odd, one_real=st.booleans())
def test_no_compare_or_history_query_fails(world, before, after, one_real):
    flywheel_id = world["flywheel"].pk
    query = {"before": str(world["audit"].pk) if one_real else before, "after": after}
    client = world["clients"]["owner"]
    send(client, "get", reverse("audits:compare", kwargs={"flywheel_id": flywheel_id}), query)
    send(client, "get", reverse("audits:history", kwargs={"flywheel_id": flywheel_id}), query)
    export = reverse("audits:compare-export", kwargs={"flywheel_id": flywheel_id, "file_format": "json"})
    send(client, "get", export, query)
    _row, token = ApiToken.issue(world["owner"], "odd input")
    send(Client(headers={"Authorization": f"Bearer {token}"}), "get", reverse("audits:api-compare"), query)


# --- Preferences, joining, accounts ---------------------------------------------------------------


@examples(30)
@given(language=odd_or("en", "fa", ""), digits=odd_or("on"), next_url=odd_or("/profile/"), name=odd)
# WAS A 500 (audits/views/profile.py language): `redirect(safe_next(request))` takes a `next`
# without "/" or "." ("nan", "0", "up") for a URL pattern name: NoReverseMatch. The redirect
# should be HttpResponseRedirect(safe_next(request)).
@example(language="en", digits="on", next_url="nan", name="")
def test_no_preference_form_fails(world, language, digits, next_url, name):
    client = world["clients"]["owner"]
    fields = {"language": language, "next": next_url}
    send(client, "post", reverse("set_language"), fields)
    send(Client(), "post", reverse("set_language"), fields)
    send(client, "post", reverse("preferences"), {"language": language, "persian_digits": digits})
    send(client, "post", reverse("audits:profile"), {"name": name})
    # Back to English: the next example's pages need no particular language, but one it can read.
    send(client, "post", reverse("preferences"), {"language": "en"})


@examples(40)
@given(
    name=odd,
    username=odd_or("newcomer"),
    email=odd_or("newcomer@example.com"),
    password=odd_or(PASSWORD),
    organization=odd,
    token=odd,
    urlencoded=st.booleans(),
)
# WAS A 500 on PostgreSQL only (axes, through audits/accounts/login_throttle.py AxesHandler.user_login_failed):
# a failed log-in with a username longer than 255 characters is stored in AccessAttempt.username
# (max_length 255): DataError "value too long for type character varying(255)". Django's login
# form does not check the username's length, so authenticate() runs and fails with it.
@example(name="", username="x" * 10_000, email="", password="wrong", organization="", token="", urlencoded=False)
def test_no_join_signup_or_login_form_fails(world, name, username, email, password, organization, token, urlencoded):
    join = reverse("audits:join", kwargs={"token": room.join_token(world["link"])})
    # A new browser for each anonymous form: joining logs the browser in.
    send(Client(), "post", join, {"name": name}, urlencoded=urlencoded)
    for who in ("participant", "outsider"):
        send(world["clients"][who], "post", join, {"name": name}, urlencoded=urlencoded)
    send(Client(), "get", f"/join/{quote(token, safe='')}/", {})
    signup = {
        "username": username,
        "email": email,
        "password1": password,
        "password2": password,
        "organization_name": organization,
    }
    send(Client(), "post", reverse("audits:signup"), signup, urlencoded=urlencoded)
    send(Client(), "get", reverse("audits:signup-confirm"), {"token": token})
    for login_as in (username, world["owner"].username):
        send(Client(), "post", reverse("login"), {"username": login_as, "password": password}, urlencoded=urlencoded)
    send(Client(), "post", reverse("password_reset"), {"email": email}, urlencoded=urlencoded)
