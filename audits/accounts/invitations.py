"""Invitations: the link someone opens to join an organization, kept in the session until they have an account."""

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audits.models import Invitation, Membership, Organization

PENDING_INVITATION_KEY = "pending_invitation"


def usable_invitation(token_hash: str) -> Invitation | None:
    """The invitation of this token's hash, if it can still be accepted."""
    return Invitation.objects.usable().select_related("organization").filter(token_hash=token_hash).first()


def pending_invitation(request: HttpRequest) -> Invitation | None:
    """The invitation someone opened before signing up or logging in, kept in their session."""
    token_hash = request.session.get(PENDING_INVITATION_KEY)
    return usable_invitation(token_hash) if token_hash else None


def accept_invitation(invitation: Invitation, user) -> Organization | None:
    """Make `user` a member through `invitation`; return None if the link was used meanwhile.

    The conditional update makes the link single-use even when two people click it at once.
    """
    with transaction.atomic():
        claimed = (
            Invitation.objects.usable().filter(pk=invitation.pk).update(accepted_at=timezone.now(), accepted_by=user)
        )
        if not claimed:
            return None
        Membership.objects.create(user=user, organization=invitation.organization, role=invitation.role)
    return invitation.organization
