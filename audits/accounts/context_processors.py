from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from audits.accounts.guests import GUEST_SESSION_KEY
from audits.accounts.permissions import current_membership, user_memberships
from audits.accounts.preferences import shows_persian_digits


def organizations(request: HttpRequest) -> dict:
    """The organization switcher in the page header: read when a template shows it, not for every fragment
    drawn with the request (a cell's answer to its save, a vote)."""
    if not request.user.is_authenticated:
        return {}
    if request.session.get(GUEST_SESSION_KEY):
        return {"is_guest": True}  # a guest of one workshop: no organizations to show
    return {
        "memberships": SimpleLazyObject(lambda: user_memberships(request)),
        "current_membership": SimpleLazyObject(lambda: current_membership(request)),
    }


def preferences(request: HttpRequest) -> dict:
    """Whether base.html draws the page's digits in Persian (see audits/accounts/preferences.py)."""
    return {"persian_digits": shows_persian_digits(request)}
