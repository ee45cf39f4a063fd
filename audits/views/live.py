"""Seeing each other: a cheap poll that tells a workshop page whether its audit has changed.

Each page remembers the audit's content_version and asks "changed since N?". The answer comes
from the database alone, so any web process on any machine can give it.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..permissions import get_audit_for


@login_required
@require_GET
@never_cache
def changes(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Return 204 while the audit is at version `since`, else its current version."""
    # The permission lookup reads content_version too: the whole check is one query. It comes
    # first, so another organization's audit is a 404 whatever `since` says.
    audit = get_audit_for(request.user, audit_id)
    try:
        since = int(request.GET["since"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("Give the version you have as ?since=N.")
    if audit.content_version == since:
        return HttpResponse(status=204)
    return JsonResponse({"version": audit.content_version})
