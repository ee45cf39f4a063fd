"""Where a plain form came from: the Referer's path, when it is a page of this site."""

from urllib.parse import urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


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
