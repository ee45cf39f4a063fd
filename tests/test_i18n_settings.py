"""The interface in English, Vietnamese and Persian: the settings, the browser's language, numbers and dates."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation

STAGES = {
    "vi": ["Thu hút", "Tương tác", "Làm hài lòng"],
    "fa": ["جذب", "تعامل", "رضایت"],
}


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def test_it_offers_english_vietnamese_and_persian():
    assert [code for code, _ in settings.LANGUAGES] == ["en", "vi", "fa"]
    assert settings.LANGUAGE_CODE == "en"
    assert translation.get_language_info("fa")["bidi"] is True


def test_it_reads_the_language_after_the_session_and_the_profile_after_the_user():
    middleware = settings.MIDDLEWARE
    locale = middleware.index("django.middleware.locale.LocaleMiddleware")
    assert middleware.index("django.contrib.sessions.middleware.SessionMiddleware") < locale
    assert locale < middleware.index("django.middleware.common.CommonMiddleware")
    user_language = middleware.index("audits.accounts.preferences.UserLanguageMiddleware")
    assert middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") < user_language


def test_it_has_catalogs_for_both_languages():
    for language in ("vi", "fa"):
        assert (settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.mo").is_file()
    with translation.override("vi"):
        assert translation.gettext("Change language") == "Đổi ngôn ngữ"
    with translation.override("fa"):
        assert translation.gettext("Change language") == "تغییر زبان"


@pytest.mark.parametrize(
    ("accept", "lang", "direction"),
    [("en-GB,en;q=0.9", "en", "ltr"), ("vi-VN,vi;q=0.9", "vi", "ltr"), ("fa", "fa", "rtl")],
)
def test_the_audit_page_follows_the_browsers_language(owner_client, audit, accept, lang, direction):
    response = owner_client.get(audit.get_absolute_url(), headers={"accept-language": accept})
    assert response.status_code == 200
    assert html_tag(response).startswith(f'<html lang="{lang}" dir="{direction}"')
    assert response["Content-Language"] == lang
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("language", ["vi", "fa"])
def test_the_audit_page_names_the_stages_in_the_language(owner_client, audit, language):
    html = owner_client.get(audit.get_absolute_url(), headers={"accept-language": language}).content.decode()
    for stage in STAGES[language]:
        assert stage in html
    assert ">Attract<" not in html


def test_the_header_is_translated(owner_client, audit):
    html = owner_client.get(audit.get_absolute_url(), headers={"accept-language": "fa"}).content.decode()
    assert "خروج" in html  # Log out
    assert ">Log out<" not in html


@pytest.mark.parametrize(
    ("accept", "lang", "direction"), [("vi", "vi", "ltr"), ("fa-IR,fa;q=0.9,en;q=0.5", "fa", "rtl")]
)
def test_an_anonymous_visitor_gets_the_browsers_language(client, db, accept, lang, direction):
    response = client.get(reverse("login"), headers={"accept-language": accept})
    assert html_tag(response).startswith(f'<html lang="{lang}" dir="{direction}"')


def test_an_unknown_language_falls_back_to_english(client, db):
    response = client.get(reverse("login"), headers={"accept-language": "de-DE,de;q=0.9"})
    assert html_tag(response).startswith('<html lang="en" dir="ltr"')


def test_vietnamese_groups_thousands_with_points_and_decimals_with_a_comma():
    with translation.override("vi"):
        assert formats.number_format(Decimal("1234.5"), decimal_pos=1, force_grouping=True) == "1.234,5"
        assert formats.localize(Decimal("1234.5")) == "1234,5"
    with translation.override("fa"):
        assert formats.number_format(Decimal("1234.5"), decimal_pos=1, force_grouping=True) == "1,234.5"
    with translation.override("en"):
        assert formats.number_format(Decimal("1234.5"), decimal_pos=1, force_grouping=True) == "1,234.5"


def test_templates_show_decimals_the_vietnamese_way_and_years_unchanged():
    # USE_THOUSAND_SEPARATOR stays off: a plain {{ year }} or id must not become "2.025".
    template = Template("{{ value }} {{ year }}{% load l10n %} {{ value|unlocalize }}")
    with translation.override("vi"):
        assert template.render(Context({"value": Decimal("1234.5"), "year": 2025})) == "1234,5 2025 1234.5"


def test_dates_follow_the_language():
    template = Template('{{ day|date:"j F Y" }}')
    day = date(2025, 3, 5)
    with translation.override("vi"):
        assert template.render(Context({"day": day})) == "5 Tháng 3 2025"
    with translation.override("fa"):
        assert template.render(Context({"day": day})) == "5 مارس 2025"
