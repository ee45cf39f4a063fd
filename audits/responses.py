"""Where a plain form goes back to: the page it came from (the Referer's path, when it is a page of
this site), else the audit or the page where its table is edited; and a write refused by a lock."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from audits.live import room

OVERVIEW = "overview"
# Where each table's rows are edited: the page a plain form goes back to without a Referer.
HOME_PAGES = {kind: step or OVERVIEW for kind, step in room.STEP_OF_TABLE.items()}


def same_site_referrer(request: HttpRequest) -> str | None:
    """The Referer's path and query, if it is this site's page; never a path a browser reads as another host.

    `http://host//evil.example/x` is this host's URL, but its path `//evil.example/x` in a Location header
    is scheme-relative: the browser would go to evil.example. Such paths (and `/\\…`) are refused.
    """
    referrer = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(referrer, allowed_hosts={request.get_host()}):
        return None
    parts = urlsplit(referrer)
    if not parts.path.startswith("/") or parts.path.startswith("//") or "\\" in parts.path:
        return None
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def back(request: HttpRequest, audit) -> HttpResponse:
    """Send a plain form back to the page it came from (its path), else to the audit."""
    return redirect(same_site_referrer(request) or audit)


def locked_response(request: HttpRequest, audit, kind: str) -> HttpResponse:
    """A write refused by the step's lock: 423 with the reason for htmx, else back with a message."""
    if not request.htmx:
        messages.error(request, room.LOCKED_MESSAGE)
        return back_to_table(request, audit, kind)
    return HttpResponse(str(room.LOCKED_MESSAGE), status=423, content_type="text/plain; charset=utf-8")


def back_to_table(request: HttpRequest, audit, kind: str) -> HttpResponse:
    """Send a plain form about a table back to the page it came from, else to where that table is edited."""
    home = HOME_PAGES[kind]
    table_page = audit if home == OVERVIEW else reverse("audits:step", kwargs={"audit_id": audit.pk, "step": home})
    return redirect(same_site_referrer(request) or table_page)
