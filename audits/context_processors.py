from django.http import HttpRequest

from .permissions import current_membership, user_memberships


def organizations(request: HttpRequest) -> dict:
    """The organization switcher in the page header."""
    if not request.user.is_authenticated:
        return {}
    return {"memberships": user_memberships(request), "current_membership": current_membership(request)}
