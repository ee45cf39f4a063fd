"""Signing up with a confirmation e-mail, so that the sign-up form never tells who has an account.

Every valid sign-up gets the same answer: "check your e-mail". A new address gets an inactive
account and a link that activates it; an address that already has an account gets an e-mail
saying so, and no new account. The link is signed, expires after SIGNUP_CONFIRMATION_DAYS, and
works once: it only finds an account that is still unconfirmed. Until then the account holds
nothing: a later sign-up with its username or address replaces it.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audits.models import Invitation

CONFIRMATION_SALT = "audits.signup-confirmation"


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation link carries: the account, and the organization to create or the invitation to accept."""

    user: object
    organization_name: str
    invitation_id: int | None


def unconfirmed_accounts() -> QuerySet:
    """Accounts made by a sign-up whose link was never opened: inactive, never logged in, in no organization."""
    return get_user_model().objects.filter(is_active=False, last_login__isnull=True, memberships__isnull=True)


def forget_expired_signups() -> None:
    """Delete unconfirmed accounts whose link has expired, so that their username and address are free again."""
    expired = timezone.now() - timedelta(days=settings.SIGNUP_CONFIRMATION_DAYS)
    unconfirmed_accounts().filter(date_joined__lt=expired).delete()


def sign_up(request: HttpRequest, form, invitation: Invitation | None) -> None:
    """Send the e-mail that continues a valid sign-up: a confirmation link, or "you already have an account"."""
    email, username = form.cleaned_data["email"], form.cleaned_data["username"]
    forget_expired_signups()
    with transaction.atomic():
        # An unconfirmed sign-up holds neither its username nor its address: a new one replaces it
        # (say, after a mistyped address), and only the new one's link works.
        unconfirmed_accounts().filter(Q(email__iexact=email) | Q(username__iexact=username)).delete()
        existing = get_user_model().objects.filter(email__iexact=email).first()
        if existing is None:
            user = form.save(commit=False)
            user.is_active = False
            user.save()
    if existing is not None:
        # The time a new account's password hash takes, so that the answer comes just as fast.
        make_password(form.cleaned_data["password1"])
        _send(request, existing, "registration/signup_exists", {"login_link": _link(request, "login")})
        return
    token = confirmation_token(user, form.cleaned_data.get("organization_name", ""), invitation)
    link = _link(request, "audits:signup-confirm") + f"?token={token}"
    _send(request, user, "registration/signup_confirm", {"link": link, "days": settings.SIGNUP_CONFIRMATION_DAYS})


def confirmation_token(user, organization_name: str, invitation: Invitation | None) -> str:
    payload = {"user": user.pk, "organization": organization_name, "invitation": invitation and invitation.pk}
    return signing.dumps(payload, salt=CONFIRMATION_SALT, compress=True)


def read_confirmation(token: str) -> Confirmation | None:
    """Return what a link confirms; None if it was altered, has expired or was used already."""
    try:
        payload = signing.loads(
            token, salt=CONFIRMATION_SALT, max_age=timedelta(days=settings.SIGNUP_CONFIRMATION_DAYS)
        )
    except signing.BadSignature:
        return None
    user = unconfirmed_accounts().filter(pk=payload["user"]).first()
    if user is None:
        return None
    return Confirmation(user, payload["organization"], payload["invitation"])


def activate(user) -> bool:
    """Activate the unconfirmed account; False if it was confirmed meanwhile (two clicks at once)."""
    if not unconfirmed_accounts().filter(pk=user.pk).update(is_active=True):
        return False
    user.is_active = True
    return True


def _link(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(reverse(name))


def _send(request: HttpRequest, user, template: str, context: dict) -> None:
    context = {"username": user.get_username(), "reset_link": _link(request, "password_reset"), **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    send_mail(subject, render_to_string(f"{template}_email.txt", context), None, [user.email])
