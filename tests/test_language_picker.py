"""The language picker in the header, the preferences on the profile page, and the user's language winning."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from audits.accounts.preferences import SESSION_KEY
from audits.models import Profile

from .counting import session_queries

COOKIE = settings.LANGUAGE_COOKIE_NAME


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def pick(client, language: str, **data):
    return client.post(reverse("set_language"), {"language": language, **data})


def test_it_rejects_get(client, db):
    assert client.get(reverse("set_language")).status_code == 405


def test_the_header_offers_each_language_in_itself(owner_client, audit):
    html = owner_client.get(audit.get_absolute_url(), headers={"accept-language": "vi"}).content.decode()
    picker = re.search(r'<form class="language-picker".*?</form>', html, re.DOTALL).group(0)
    assert f'action="{reverse("set_language")}"' in picker
    assert f'name="next" value="{audit.get_absolute_url()}"' in picker
    assert '<option value="en" lang="en">English</option>' in picker
    assert '<option value="vi" lang="vi" selected>Tiếng Việt</option>' in picker
    assert '<option value="fa" lang="fa">فارسی</option>' in picker
    assert 'type="submit"' in picker  # works without JavaScript


def test_an_anonymous_choice_is_kept_in_the_cookie(client, db):
    response = pick(client, "fa", next="/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[COOKIE].value == "fa"
    # The cookie wins over the browser's Accept-Language.
    login_page = client.get(reverse("login"), headers={"accept-language": "vi"})
    assert html_tag(login_page).startswith('<html lang="fa" dir="rtl"')


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_it_never_sends_anyone_to_another_site(client, db, next_url):
    response = pick(client, "vi", next=next_url)
    assert response["Location"] == "/"


def test_without_next_it_goes_back_to_the_referring_page(client, db):
    response = client.post(
        reverse("set_language"), {"language": "vi"}, headers={"referer": "http://testserver/accounts/signup/"}
    )
    assert response["Location"] == "http://testserver/accounts/signup/"


def test_it_ignores_an_unknown_language(client, db):
    response = pick(client, "de", next="/accounts/login/")
    assert response["Location"] == "/accounts/login/"
    assert COOKIE not in response.cookies


def test_a_signed_in_users_choice_is_kept_in_the_profile(owner_client, owner, audit):
    response = pick(owner_client, "fa", next=audit.get_absolute_url())
    assert response["Location"] == audit.get_absolute_url()
    assert Profile.objects.get(user=owner).language == "fa"
    assert response.cookies[COOKIE].value == "fa"


def test_the_profiles_language_wins_over_the_browser(owner_client, owner, audit):
    pick(owner_client, "fa")
    owner_client.cookies.pop(COOKIE)  # another browser: only the account knows
    response = owner_client.get(audit.get_absolute_url(), headers={"accept-language": "vi"})
    assert html_tag(response).startswith('<html lang="fa" dir="rtl"')
    assert response["Content-Language"] == "fa"
    # ... and the cookie is brought in line, so the login page keeps the language after logging out.
    assert response.cookies[COOKIE].value == "fa"


def test_a_profile_language_applies_from_login(client, owner, audit):
    Profile.objects.create(user=owner, language="vi")
    client.force_login(owner)
    response = client.get(audit.get_absolute_url(), headers={"accept-language": "fa"})
    assert html_tag(response).startswith('<html lang="vi" dir="ltr"')
    assert response["Content-Language"] == "vi"


def test_a_user_without_a_profile_language_gets_the_browsers(owner_client, audit):
    response = owner_client.get(audit.get_absolute_url(), headers={"accept-language": "fa"})
    assert html_tag(response).startswith('<html lang="fa" dir="rtl"')
    assert COOKIE not in response.cookies


def test_an_old_session_reads_the_profile_once(owner_client, owner, audit):
    Profile.objects.create(user=owner, language="vi")
    session = owner_client.session
    del session[SESSION_KEY]
    session.save()
    assert html_tag(owner_client.get(audit.get_absolute_url())).startswith('<html lang="vi"')
    assert owner_client.session[SESSION_KEY] == {"language": "vi", "persian_digits": False}


def test_the_language_costs_no_query_per_request(owner_client, audit, django_assert_num_queries):
    owner_client.get(audit.get_absolute_url())
    # As tests/test_live.py counts it: the session, the user and the check.
    with django_assert_num_queries(session_queries() + 2):
        owner_client.get(reverse("audits:audit-changes", kwargs={"audit_id": audit.pk}), {"since": 0})


# --- The profile page -------------------------------------------------------------------------


def test_the_profile_page_shows_the_preferences(owner_client, owner):
    Profile.objects.create(user=owner, language="vi", persian_digits=True)
    owner_client.force_login(owner)  # the session learns the profile at login
    html = owner_client.get(reverse("audits:profile")).content.decode()
    assert f'action="{reverse("preferences")}"' in html
    assert re.search(r'<option value="vi" selected>Tiếng Việt</option>', html)
    assert re.search(r'<input type="checkbox" name="persian_digits"[^>]* checked', html)


def test_it_saves_the_preferences(owner_client, owner):
    response = owner_client.post(reverse("preferences"), {"language": "fa", "persian_digits": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:profile")
    profile = Profile.objects.get(user=owner)
    assert (profile.language, profile.persian_digits) == ("fa", True)
    assert response.cookies[COOKIE].value == "fa"
    page = owner_client.get(response["Location"])
    assert "تنظیمات ذخیره شد." in page.content.decode()  # "Preferences saved." in Persian


def test_the_browsers_language_again_forgets_the_cookie(owner_client, owner, audit):
    pick(owner_client, "fa")
    response = owner_client.post(reverse("preferences"), {"language": ""})
    assert Profile.objects.get(user=owner).language == ""
    assert response.cookies[COOKIE].value == ""  # deleted
    page = owner_client.get(audit.get_absolute_url(), headers={"accept-language": "vi"})
    assert html_tag(page).startswith('<html lang="vi" dir="ltr"')


def test_it_refuses_an_unknown_language(owner_client, owner):
    response = owner_client.post(reverse("preferences"), {"language": "xx"})
    assert response.status_code == 422
    assert not Profile.objects.filter(user=owner).exists()
    assert 'class="field field-invalid"' in response.content.decode()


def test_the_preferences_need_a_login(client, db):
    response = client.post(reverse("preferences"), {"language": "fa"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_preferences_reject_get(owner_client):
    assert owner_client.get(reverse("preferences")).status_code == 405


def test_persian_digits_apply_to_persian_pages_only(owner_client, audit):
    owner_client.post(reverse("preferences"), {"language": "fa", "persian_digits": "on"})
    fa = owner_client.get(audit.get_absolute_url())
    assert html_tag(fa) == '<html lang="fa" dir="rtl" class="persian-digits">'
    # The text itself keeps ASCII digits: only the font draws them in Persian.
    assert str(audit.period_year) in fa.content.decode()
    owner_client.post(reverse("preferences"), {"language": "vi", "persian_digits": "on"})
    vi = owner_client.get(audit.get_absolute_url())
    assert html_tag(vi) == '<html lang="vi" dir="ltr">'
