"""The read-only JSON API and the profile page that issues its tokens."""

import json
import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.content.carry import carry_forward
from audits.content.document import load
from audits.content.sample import build_large_audit, build_small_audit
from audits.models import ApiToken, Audit, Membership, hash_token
from audits.reports import comparison
from audits.reports.exports import json_export

from .factories import AuditFactory, FlywheelFactory, MembershipFactory, OrganizationFactory, UserFactory

Role = Membership.Role


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # the rate limit's counters


@pytest.fixture
def token(owner) -> str:
    return ApiToken.issue(owner, "Power BI")[1]


@pytest.fixture
def get(client):
    """Return a function that GETs an API URL with a token, as a BI tool would (no session)."""

    def request(url: str, token: str | None, **params):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(url, params, headers=headers)

    return request


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)


def compare_url(before: Audit, after: Audit) -> str:
    return f"{url('audits:api-compare')}?before={before.pk}&after={after.pk}"


# --- The profile page ---------------------------------------------------------------------------


def test_it_shows_a_new_token_once_and_stores_only_its_hash(owner_client, owner):
    response = owner_client.post(url("audits:profile"), {"name": "Power BI"})
    assert response.status_code == 200
    shown = re.search(r'id="new-api-token" type="text" readonly value="(fwa_[\w-]+)"', response.content.decode())
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.token_hash) == (owner, "Power BI", hash_token(shown.group(1)))
    assert shown.group(1) not in json.dumps(list(ApiToken.objects.values()), default=str)
    page = owner_client.get(url("audits:profile")).content.decode()
    assert "Power BI" in page
    assert shown.group(1) not in page


def test_it_requires_a_token_name(owner_client, field_errors):
    response = owner_client.post(url("audits:profile"), {"name": " "})
    assert response.status_code == 422
    assert field_errors(response, "name") == ["This field is required."]
    assert not ApiToken.objects.exists()


def test_it_requires_login_for_the_profile(client):
    response = client.get(url("audits:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_lists_only_your_own_tokens(owner_client, owner):
    ApiToken.issue(owner, "Mine")
    ApiToken.issue(UserFactory(), "Someone else's")
    page = owner_client.get(url("audits:profile")).content.decode()
    assert "Mine" in page
    assert "Someone else" not in page


def test_it_revokes_a_token(owner_client, owner, token, get):
    row = ApiToken.objects.get()
    response = owner_client.post(url("audits:token-revoke", token_id=row.pk))
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert "revoked" in owner_client.get(url("audits:profile")).content.decode()
    assert get(url("audits:api-flywheels"), token).status_code == 401


def test_it_rejects_get_for_revoking(owner_client, token):
    assert owner_client.get(url("audits:token-revoke", token_id=ApiToken.objects.get().pk)).status_code == 405


def test_it_returns_404_for_revoking_someone_elses_token(owner_client):
    other, _ = ApiToken.issue(UserFactory(), "Not yours")
    response = owner_client.post(url("audits:token-revoke", token_id=other.pk))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


# --- Authentication -----------------------------------------------------------------------------


def test_it_requires_a_token(get, flywheel):
    response = get(url("audits:api-flywheels"), None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert "Authorization: Bearer" in response.json()["error"]


@pytest.mark.parametrize("header", ["Bearer fwa_unknown", "Bearer ", "Basic b2xpdmlhOnB3", "fwa_unknown"])
def test_it_rejects_an_unknown_token_or_another_scheme(client, flywheel, header):
    response = client.get(url("audits:api-flywheels"), headers={"Authorization": header})
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json()) == {"error"}


def test_it_rejects_a_revoked_token(get, token):
    ApiToken.objects.update(revoked_at=timezone.now())
    response = get(url("audits:api-flywheels"), token)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'
    assert response.json() == {"error": "Invalid or revoked API token."}


def test_it_rejects_the_token_of_a_deactivated_user(get, owner, token):
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert get(url("audits:api-flywheels"), token).status_code == 401


def test_it_ignores_the_session_cookie(owner_client, audit):
    for name, kwargs in [("audits:api-flywheels", {}), ("audits:api-audit", {"audit_id": audit.pk})]:
        response = owner_client.get(url(name, **kwargs))
        assert response.status_code == 401
        assert "error" in response.json()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_is_read_only(client, token, audit, method):
    response = getattr(client, method)(
        url("audits:api-audit", audit_id=audit.pk), headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == {"error": "The API is read-only: use GET."}


def test_it_answers_head_requests(client, token, audit):
    response = client.head(url("audits:api-audit", audit_id=audit.pk), headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.content == b""


def test_it_records_the_last_use_at_most_once_a_minute(get, token):
    get(url("audits:api-flywheels"), token)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as captured:
        get(url("audits:api-flywheels"), token)
    assert not [query for query in captured if query["sql"].startswith("UPDATE")]
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=2))
    get(url("audits:api-flywheels"), token)
    assert ApiToken.objects.get().last_used_at > first


def test_it_limits_the_requests_per_token(settings, get, owner, token):
    settings.API_RATE_LIMIT_PER_MINUTE = 3
    for _ in range(3):
        assert get(url("audits:api-flywheels"), token).status_code == 200
    response = get(url("audits:api-flywheels"), token)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "3 requests a minute" in response.json()["error"]
    # Another token of the same user has its own count.
    assert get(url("audits:api-flywheels"), ApiToken.issue(owner, "Excel")[1]).status_code == 200


# --- The endpoints ------------------------------------------------------------------------------


def test_it_lists_the_flywheels_of_every_organization_of_the_user(get, owner, token, flywheel, audit, outsider):
    AuditFactory(flywheel=flywheel, deleted_at=timezone.now())
    FlywheelFactory(organization=flywheel.organization, name="Trashed", deleted_at=timezone.now())
    other = MembershipFactory(user=owner, organization=OrganizationFactory(name="Beta"), role=Role.VIEWER)
    enterprise = FlywheelFactory(organization=other.organization, name="Enterprise")
    response = get(url("audits:api-flywheels"), token)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "private, no-store"
    assert response.json() == {
        "flywheels": [
            {
                "id": flywheel.pk,
                "name": "Self-serve",
                "organization": {"id": flywheel.organization_id, "name": "Acme"},
                "role": "owner",
                "audits_count": 1,
                "audits_url": f"http://testserver/api/v1/flywheels/{flywheel.pk}/audits/",
            },
            {
                "id": enterprise.pk,
                "name": "Enterprise",
                "organization": {"id": other.organization_id, "name": "Beta"},
                "role": "viewer",
                "audits_count": 0,
                "audits_url": f"http://testserver/api/v1/flywheels/{enterprise.pk}/audits/",
            },
        ]
    }


def test_it_lists_the_audits_of_a_flywheel(get, token, flywheel, audit):
    Audit.objects.filter(pk=audit.pk).update(workshop_date=date(2025, 11, 14), status=Audit.Status.COMPLETE)
    AuditFactory(flywheel=flywheel, deleted_at=timezone.now())
    carried = carry_forward(audit)
    response = get(url("audits:api-flywheel-audits", flywheel_id=flywheel.pk), token)
    assert response.status_code == 200
    data = response.json()
    assert data["flywheel"] == {
        "id": flywheel.pk,
        "name": "Self-serve",
        "organization": {"id": flywheel.organization_id, "name": "Acme"},
    }
    assert data["audits"] == [
        {
            "id": carried.pk,
            "title": carried.title,
            "flywheel_id": flywheel.pk,
            "period_year": 2026,
            "workshop_date": None,
            "status": "draft",
            "language": "en",
            "carried_from": audit.pk,
            "url": f"http://testserver/api/v1/audits/{carried.pk}/",
        },
        {
            "id": audit.pk,
            "title": "Annual audit",
            "flywheel_id": flywheel.pk,
            "period_year": 2025,
            "workshop_date": "2025-11-14",
            "status": "complete",
            "language": "en",
            "carried_from": None,
            "url": f"http://testserver/api/v1/audits/{audit.pk}/",
        },
    ]


def test_it_returns_an_audits_document_and_its_figures(get, token, flywheel):
    audit = build_small_audit(flywheel)
    response = get(url("audits:api-audit", audit_id=audit.pk), token)
    assert response.status_code == 200
    data = response.json()
    document = load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))
    assert data["id"] == audit.pk
    assert data["web_url"] == f"http://testserver/audits/{audit.pk}/"
    assert data["document"] == json_export.as_data(document)
    figures = data["figures"]
    assert figures["friction"] == {
        "total": 6,
        "open": 3,
        "resolved": 3,
        "resolved_by": {"automation": 1, "new_goal": 1, "restructure": 1},
    }
    assert [metric["name"] for metric in figures["metrics"]] == [metric.name for metric in document.metrics]
    for shown, metric in zip(figures["metrics"], document.metrics, strict=True):
        assert [reading["headline"] for reading in shown["readings"]] == pytest.approx(
            [float(value) if value is not None else None for value in metric.headline_values]
        )
        assert [reading["nps"] for reading in shown["readings"]] == [reading.nps for reading in metric.readings]
    assert [(c["from"], c["to"]) for c in figures["conversions"]] == [
        (c.from_metric, c.to_metric) for c in document.conversions
    ]
    assert figures["conversions"][0]["rates"][0]["rate"] == document.conversions[0].rates[0].rate
    assert figures["weakest_conversion"] == document.weakest_conversion.label


def test_a_viewer_can_read(get, member_factory, audit):
    viewer_token = ApiToken.issue(member_factory(Role.VIEWER), "Viewer's dashboard")[1]
    assert get(url("audits:api-audit", audit_id=audit.pk), viewer_token).status_code == 200
    assert get(url("audits:api-flywheel-audits", flywheel_id=audit.flywheel_id), viewer_token).status_code == 200


def test_it_returns_404_for_another_organizations_objects(get, token, audit, outsider):
    foreign = Audit.objects.get(flywheel__organization__memberships__user=outsider)
    for address in (
        url("audits:api-audit", audit_id=foreign.pk),
        url("audits:api-flywheel-audits", flywheel_id=foreign.flywheel_id),
        compare_url(audit, foreign),
        compare_url(foreign, audit),
    ):
        response = get(address, token)
        assert response.status_code == 404, address
        assert response.json() == {"error": "Not found."}
    flywheels = get(url("audits:api-flywheels"), token).json()["flywheels"]
    assert [flywheel["id"] for flywheel in flywheels] == [audit.flywheel_id]


def test_it_returns_404_for_a_trashed_audit(get, token, flywheel):
    trashed = AuditFactory(flywheel=flywheel, deleted_at=timezone.now())
    assert get(url("audits:api-audit", audit_id=trashed.pk), token).status_code == 404


def test_it_compares_two_audits(get, token, flywheel):
    before = build_large_audit(flywheel, friction=6, forces=3, teams=2, metrics=4, periods=12, year=2024)
    after = build_small_audit(flywheel)
    response = get(compare_url(before, after), token)
    assert response.status_code == 200
    data = response.json()
    assert data["warning"] is None
    assert (data["before"]["id"], data["after"]["id"]) == (before.pk, after.pk)
    documents = [load(Audit.objects.select_related("flywheel__organization").get(pk=a.pk)) for a in (before, after)]
    expected = comparison.as_data(comparison.compare(*documents))
    assert data["comparison"] == json.loads(json.dumps(expected))
    assert (data["comparison"]["before_year"], data["comparison"]["after_year"]) == (2024, 2025)


def test_it_warns_when_comparing_audits_of_different_flywheels(get, token, audit, organization):
    other = AuditFactory(flywheel=FlywheelFactory(organization=organization, name="Enterprise"), period_year=2026)
    response = get(compare_url(audit, other), token)
    assert response.status_code == 200
    assert "different flywheels (Self-serve, Enterprise)" in response.json()["warning"]


def test_it_refuses_to_compare_an_audit_with_itself(get, token, audit):
    response = get(compare_url(audit, audit), token)
    assert response.status_code == 400
    assert "itself" in response.json()["error"]


@pytest.mark.parametrize("query", ["", "?before=1", "?before=x&after=2", "?before=-1&after=2"])
def test_it_asks_for_two_audit_ids(get, token, query):
    response = get(url("audits:api-compare") + query, token)
    assert response.status_code == 400
    assert response.json()["error"] == "Give two audit ids: ?before=<id>&after=<id>."
    assert response.json()["fields"]


def test_the_audit_endpoint_costs_the_same_queries_for_any_audit_size(get, token, flywheel):
    small, large = build_small_audit(flywheel), build_large_audit(flywheel)
    get(url("audits:api-flywheels"), token)  # the first use records last_used_at: not counted below
    counts = []
    for audit in (small, large):
        with CaptureQueriesContext(connection) as captured:
            assert get(url("audits:api-audit", audit_id=audit.pk), token).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] <= 12
