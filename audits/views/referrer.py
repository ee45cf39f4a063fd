"""Where a plain form came from: the Referer, when it is a page of this site."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def same_site_referrer(request: HttpRequest) -> str | None:
    referrer = request.headers.get("referer", "")
    return referrer if url_has_allowed_host_and_scheme(referrer, allowed_hosts={request.get_host()}) else None
