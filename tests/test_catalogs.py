"""The translation catalogs: complete, not fuzzy, and compiled from the current .po files.

The compiled .mo files are committed, so a machine without GNU gettext shows the translations;
`make messages` (with gettext) collects new strings and compiles again.
"""

import re

import polib
import pytest
from django.conf import settings

LANGUAGES = [code for code, _ in settings.LANGUAGES if code != "en"]
LOCALE = settings.BASE_DIR / "locale"
# Python's %-placeholders and Django's {{ }}-free blocktranslate ones: "%(name)s", "%s", "%d", "%%".
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0 +-]?\d*(?:\.\d+)?[sdifr%]")


def catalog(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def compiled(language: str) -> polib.MOFile:
    return polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))


def translations(entries) -> dict:
    """Each message (its context and text) with its translation, plural forms included."""
    found = {}
    for entry in entries:
        if entry.msgid == "":
            continue  # the header
        key = (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")
        found[key] = (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
    return found


def listed(entries, most: int = 10) -> str:
    shown = "\n".join(
        f"  {entry.msgid[:70]!r} ({', '.join(path for path, _ in entry.occurrences[:2])})" for entry in entries[:most]
    )
    more = f"\n  ... and {len(entries) - most} more" if len(entries) > most else ""
    return shown + more


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    untranslated = catalog(language).untranslated_entries()
    if untranslated:
        pytest.fail(f"{len(untranslated)} untranslated in {language}:\n{listed(untranslated)}", pytrace=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_translation_is_fuzzy(language):
    po = catalog(language)
    assert not po.metadata_is_fuzzy, f"the {language} catalog's header is marked fuzzy"
    fuzzy = po.fuzzy_entries()
    if fuzzy:
        pytest.fail(f"{len(fuzzy)} fuzzy in {language} (check, then remove the flag):\n{listed(fuzzy)}", pytrace=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders(language):
    wrong = [entry for entry in catalog(language).translated_entries() if not _same_placeholders(entry)]
    if wrong:
        pytest.fail(f"placeholders differ in {language}:\n{listed(wrong)}", pytrace=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_matches_the_po_file(language):
    assert (LOCALE / language / "LC_MESSAGES" / "django.mo").is_file(), f"run `make messages` for {language}"
    po = catalog(language)
    # msgfmt leaves out untranslated, fuzzy and obsolete entries; so does this.
    expected = translations(entry for entry in po.translated_entries() if not entry.obsolete)
    assert translations(compiled(language)) == expected, (
        f"locale/{language}: the .mo is out of date: run `make messages`"
    )
    assert compiled(language).metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms")


def _where(entry: polib.POEntry) -> str:
    return ", ".join(path for path, _ in entry.occurrences[:2])


def _same_placeholders(entry: polib.POEntry) -> bool:
    """A translation has the source's placeholders; a plural form may leave out the count ("one force")."""
    if not entry.msgid_plural:
        return sorted(PLACEHOLDER.findall(entry.msgid)) == sorted(PLACEHOLDER.findall(entry.msgstr))
    known = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural))
    return all(set(PLACEHOLDER.findall(text)) <= known for text in entry.msgstr_plural.values())
