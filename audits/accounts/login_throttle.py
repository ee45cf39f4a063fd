"""Log-in throttling, django-axes' and ours beside it: a limit per username and one per address.

axes locks out one username from one address after AXES_FAILURE_LIMIT failures. One password
tried on many usernames from one address never reaches that limit, so this handler also adds up
every failure from the address (axes' AccessAttempt rows, one per username) against
LOGIN_FAILURE_LIMIT_PER_ADDRESS, which is higher: a workshop room shares one address. axes
supports one limit only; a handler of its own (AXES_HANDLER) is its way to add checks.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timeuntil


def recorded_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username axes records (AXES_USERNAME_CALLABLE): as typed, cut to what its tables hold.

    Django's log-in form does not bound the username it authenticates; no account has a longer one.
    """
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get(settings.AXES_USERNAME_FORM_FIELD)
    return username[: AccessAttempt._meta.get_field("username").max_length] if isinstance(username, str) else username


def address_failures(request: HttpRequest) -> int:
    """Return the failed log-ins from the request's address within the cool-off time, all usernames together."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0


def address_is_locked(request: HttpRequest) -> bool:
    return address_failures(request) >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS


class AxesHandler(AxesDatabaseHandler):
    """axes' database handler, which also locks out an address with too many failures."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        request.locked_out_address = address_is_locked(request)
        return request.locked_out_address

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if address_is_locked(request):
            # What axes does when the username's own limit is reached: the middleware shows the lockout page.
            request.axes_locked_out = True
            request.locked_out_address = True
            request.axes_credentials = credentials
            username = get_client_username(request, credentials)
            user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)


def lockout_response(request: HttpRequest, original_response: HttpResponse, credentials: dict | None) -> HttpResponse:
    """The lockout page (AXES_LOCKOUT_CALLABLE), naming the limit that was reached and the wait in words."""
    by_address = getattr(request, "locked_out_address", False)
    cool_off, now = get_cool_off(request), timezone.now()
    context = {
        "by_address": by_address,
        "failure_limit": (
            settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS if by_address else get_failure_limit(request, credentials)
        ),
        "cooloff_time": timeuntil(now + cool_off, now) if cool_off else "",
    }
    return render(request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


def forwarded_client_address(request: HttpRequest) -> str | None:
    """Return the client's address as the proxies in front of us saw it (AXES_CLIENT_IP_CALLABLE).

    Each of the AXES_IPWARE_PROXY_COUNT proxies appends the address it was reached from to
    X-Forwarded-For, so the client's is that many entries from the right; entries further left
    came from the client itself and can be anything. A request with fewer entries did not come
    through the proxies: its own address is the one to count.
    """
    forwarded = [address.strip() for address in request.headers.get("X-Forwarded-For", "").split(",")]
    forwarded = [address for address in forwarded if address]
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")
