"""The read-only JSON API's endpoints.

The API authenticates with a personal token only, never the session cookie: a BI tool sends
`Authorization: Bearer <token>`, and every object is looked up through `permissions.py` as the
token's user, so the API sees exactly what that user may see in the app.
"""

from collections.abc import Callable
from functools import wraps

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from audits.accounts.permissions import get_audit_for, get_flywheel_for, memberships_of
from audits.accounts.visibility import user_document
from audits.api import payloads, tokens
from audits.forms import CompareForm
from audits.models import Audit, Flywheel
from audits.reports import comparison
from audits.reports.exports import json_export


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _error(status: int, message: str, **extra) -> JsonResponse:
    return _json({"error": message, **extra}, status=status)


def _unauthorized(token_sent: bool) -> JsonResponse:
    if token_sent:
        response = _error(401, "Invalid or revoked API token.")
        response["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
    else:
        response = _error(
            401, "Authentication required: send 'Authorization: Bearer <token>'; create a token on your profile page."
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def api_endpoint(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """Serve `view(request, user, **kwargs)` read-only, as the bearer token's user, rate-limited.

    Errors are JSON too. No CSRF check: only GET gets through, and the session is never used.
    """

    @csrf_exempt
    @wraps(view)
    def endpoint(request: HttpRequest, **kwargs) -> JsonResponse:
        # The method first, before any lookup: a 405 tells nothing about tokens or ids.
        if request.method not in ("GET", "HEAD"):
            response = _error(405, "The API is read-only: use GET.")
            response["Allow"] = "GET, HEAD"
            return response
        sent = tokens.bearer_token(request)
        token = tokens.authenticate(sent) if sent else None
        if token is None:
            return _unauthorized(token_sent=sent is not None)
        if wait := tokens.seconds_until_allowed(token):
            response = _error(429, f"Rate limit: {tokens.rate_limit()} requests a minute. Retry in {wait} seconds.")
            response["Retry-After"] = str(wait)
            return response
        tokens.record_use(token)
        try:
            response = view(request, token.user, **kwargs)
        except Http404:
            response = _error(404, "Not found.")
        response["Cache-Control"] = "private, no-store"
        return response

    return endpoint


def _url(request: HttpRequest, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(name, kwargs=kwargs))


def _audit(request: HttpRequest, audit: Audit) -> dict:
    return {**payloads.audit_data(audit), "url": _url(request, "audits:api-audit", audit_id=audit.pk)}


@api_endpoint
def api_flywheels(request: HttpRequest, user) -> JsonResponse:
    roles = {membership.organization_id: membership.role for membership in memberships_of(user)}
    flywheels = (
        Flywheel.objects.alive()
        .filter(organization__in=roles)
        .select_related("organization")
        .annotate(audit_count=Count("audits", filter=Q(audits__deleted_at__isnull=True)))
        .order_by("organization__name", "organization", "name", "pk")
    )
    data = [
        {
            **payloads.flywheel_data(flywheel, roles[flywheel.organization_id], flywheel.audit_count),
            "audits_url": _url(request, "audits:api-flywheel-audits", flywheel_id=flywheel.pk),
        }
        for flywheel in flywheels
    ]
    return _json({"flywheels": data})


@api_endpoint
def api_flywheel_audits(request: HttpRequest, user, flywheel_id: int) -> JsonResponse:
    flywheel = get_flywheel_for(user, flywheel_id)
    audits = Audit.objects.alive().filter(flywheel=flywheel)
    return _json({"flywheel": payloads.flywheel_reference(flywheel), "audits": [_audit(request, a) for a in audits]})


@api_endpoint
def api_audit(request: HttpRequest, user, audit_id: int) -> JsonResponse:
    audit = get_audit_for(user, audit_id, guests=False)
    document = user_document(audit, user)
    data = {
        **_audit(request, audit),
        "web_url": request.build_absolute_uri(audit.get_absolute_url()),
        "document": json_export.as_data(document),
        "figures": payloads.figures(document),
    }
    return _json(data)


@api_endpoint
def api_compare(request: HttpRequest, user) -> JsonResponse:
    form = CompareForm(request.GET)
    if not form.is_valid():
        message = " ".join(form.non_field_errors()) or "Give two audit ids: ?before=<id>&after=<id>."
        return _error(400, message, fields=form.errors.get_json_data())
    before = get_audit_for(user, form.cleaned_data["before"], guests=False)
    after = get_audit_for(user, form.cleaned_data["after"], guests=False)
    warning = None
    if before.flywheel_id != after.flywheel_id:
        names = f"{before.flywheel.name}, {after.flywheel.name}"
        warning = f"These audits are of different flywheels ({names}): compare their figures with care."
    result = comparison.as_data(comparison.compare(user_document(before, user), user_document(after, user)))
    data = {"before": _audit(request, before), "after": _audit(request, after), "warning": warning}
    return _json({**data, "comparison": result})
