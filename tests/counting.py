"""What a signed-in request costs before its view runs, for the tests that count queries."""

from django.conf import settings


def session_queries() -> int:
    """The queries reading a signed-in request's session: none when sessions are read from a shared cache
    (audits/accounts/sessions.py, set with REDIS_URL: CI's PostgreSQL run), else one."""
    return 0 if settings.SESSION_ENGINE == "audits.accounts.sessions" else 1
