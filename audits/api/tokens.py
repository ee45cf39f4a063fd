"""Personal API tokens: who a request is, how often it may ask, and when a token was last used.

The rate limit is a fixed window per token in Django's cache. The default cache is per process
(LocMemCache), so with several web processes each counts on its own; point CACHES at Redis or
the database cache to share one count.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from audits.models import ApiToken, hash_token

WINDOW_SECONDS = 60
# Saving last_used_at on every request would make every read a write: once a minute is enough.
LAST_USED_PRECISION = timedelta(minutes=1)


def bearer_token(request: HttpRequest) -> str | None:
    """Return the token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def authenticate(token: str) -> ApiToken | None:
    """Return the active token row for `token`, with its user, or None if unknown or revoked."""
    return ApiToken.objects.active().select_related("user").filter(token_hash=hash_token(token)).first()


def rate_limit() -> int:
    return settings.API_RATE_LIMIT_PER_MINUTE


def seconds_until_allowed(token: ApiToken) -> int:
    """Count this request; return 0 if it is within the limit, else the seconds until the next window."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"api-rate:{token.token_hash}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    if count <= rate_limit():
        return 0
    return max(1, (window + 1) * WINDOW_SECONDS - int(now))


def record_use(token: ApiToken) -> None:
    now = timezone.now()
    cutoff = now - LAST_USED_PRECISION
    if token.last_used_at and token.last_used_at > cutoff:
        return
    # Conditional, so that requests arriving together write once.
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
