"""Names people type for others to see lose the invisible characters that could disguise them."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from audits.accounts.names import clean_display_name
from audits.live import room
from audits.models import Guest, Membership, Organization

from .factories import PASSWORD
from .test_signup import confirmation_link

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize("control", list(BIDI_CONTROLS), ids=lambda control: f"U+{ord(control):04X}")
def test_it_strips_every_bidi_control(control):
    assert clean_display_name(f"Eve{control}reganaM") == "EvereganaM"


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u2060", "\ufeff", "\u00ad", "\U000e0041", "\u3164", "\u115f", "\x07"],
    ids=[
        "zero-width space",
        "word joiner",
        "byte-order mark",
        "soft hyphen",
        "tag",
        "hangul filler",
        "choseong filler",
        "bell",
    ],
)
def test_it_strips_other_invisible_characters(invisible):
    assert clean_display_name(f"Gi{invisible}ta") == "Gita"


def test_it_keeps_the_zero_width_non_joiner_of_persian_words():
    assert clean_display_name("مهر\u200cناز") == "مهر\u200cناز"


def test_it_keeps_the_zero_width_joiner_of_emoji():
    assert clean_display_name("Ana \U0001f469\u200d\U0001f4bb") == "Ana \U0001f469\u200d\U0001f4bb"


def test_it_collapses_whitespace_of_any_kind():
    assert clean_display_name(" Gita\t\n\u00a0Rao\u2028 ") == "Gita Rao"


def test_it_leaves_a_name_made_only_of_invisible_characters_empty():
    assert clean_display_name("\u202e\u200b\u3164") == ""


# --- Where people type names ----------------------------------------------------------------------


@pytest.fixture
def link(audit, owner):
    return room.open_join_link(audit, owner, hours=4)


def join_url(link) -> str:
    return reverse("audits:join", kwargs={"token": room.join_token(link)})


def test_a_guest_name_loses_its_bidi_controls(client, link, audit):
    assert client.post(join_url(link), {"name": "Eve\u202e\u2066reganaM\u2069"}).status_code == 302
    guest = Guest.objects.get(audit=audit)
    assert guest.display_name == "EvereganaM"
    assert guest.user.first_name == "EvereganaM"


def test_a_guest_name_of_only_invisible_characters_is_refused(client, link):
    response = client.post(join_url(link), {"name": "\u202e\u200f\u200b"})
    assert response.status_code == 422
    assert "Type the name the others should see." in response.content.decode()
    assert not Guest.objects.exists()


def test_an_organization_name_typed_at_sign_up_loses_its_bidi_controls(client, db):
    data = {
        "username": "sam",
        "email": "sam@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "organization_name": "Sam\u202es Bakery",
    }
    client.post(reverse("audits:signup"), data)
    client.get(confirmation_link(mail.outbox[0]))
    assert Organization.objects.get().name == "Sams Bakery"
    assert Membership.objects.get().user == get_user_model().objects.get(username="sam")


def test_an_organization_name_of_only_invisible_characters_is_refused_at_sign_up(client, db, field_errors):
    data = {
        "username": "sam",
        "email": "sam@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "organization_name": "\u202e\u200b",
    }
    response = client.post(reverse("audits:signup"), data)
    assert field_errors(response, "organization_name") == ["This field is required."]
    assert mail.outbox == []


def test_a_flywheel_name_loses_its_bidi_controls_and_cannot_pass_for_another(owner_client, flywheel):
    url = reverse("audits:flywheel-create")
    response = owner_client.post(url, {"name": "\u202eSelf-serve\u200b", "description": ""})
    assert "This organization already has a flywheel with this name." in response.content.decode()
    owner_client.post(url, {"name": "Enter\u202eprise", "description": ""})
    assert set(Organization.objects.get().flywheels.values_list("name", flat=True)) == {"Self-serve", "Enterprise"}


def test_an_organization_name_loses_its_bidi_controls(owner_client):
    owner_client.post(reverse("audits:organization-create"), {"name": "North\u202e Region"})
    assert Organization.objects.filter(name="North Region").exists()
    response = owner_client.post(reverse("audits:organization-create"), {"name": "\u2066\u2069"})
    assert "Type a name made of visible characters." in response.content.decode()
