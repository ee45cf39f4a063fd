"""An audit's exports are in its language: Persian right to left, Vietnamese kept exactly, and both import back.

The vi and fa catalogs are written separately and may not exist yet, so label texts are not
asserted: the `translated` fixture gives every label a made-up translation instead, with
characters a sheet title cannot hold and lengths it cannot take, so that what is proved here
holds for whatever the real translations turn out to be.
"""

import json
import re
import zipfile
from io import BytesIO

import pytest
from django.utils import translation
from django.utils.translation import trans_real
from lxml import etree
from openpyxl import load_workbook

from audits.content import document
from audits.content.demo import load_demo
from audits.models import Audit, Force, FrictionPoint, StageStrategy, Team
from audits.reports.exports import compare_for_export, export, export_comparison, workbook
from audits.reports.imports import import_audit, read_file
from audits.reports.imports.raw import in_every_language
from audits.reports.imports.workbook_import import INPUT_SHEETS

from .factories import MetricFactory, ReadingFactory

pytestmark = pytest.mark.django_db

VIETNAMESE = "Thu hút khách hàng mới, tăng trưởng bền vững — Đà Nẵng"
PERSIAN = "مشتریان دو روز منتظر پاسخ پشتیبانی می‌مانند"
# Made-up translations: Persian with a colon (not allowed in a sheet title), Vietnamese too long for one.
PSEUDO_TRANSLATIONS = {"fa": "فا: {}", "vi": "Bản dịch tiếng Việt của {} rất dài"}
NAMESPACES = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
SLIDE_PARTS = re.compile(r"ppt/(slides|notesSlides)/\w+\.xml$")
CHART_PARTS = re.compile(r"ppt/charts/\w+\.xml$")


@pytest.fixture
def translated(monkeypatch):
    """Every label of the fa and vi exports different from its English (see the module's docstring)."""
    for language, pattern in PSEUDO_TRANSLATIONS.items():
        catalog = trans_real.translation(language)
        monkeypatch.setattr(catalog, "gettext", lambda message, pattern=pattern: pattern.replace("{}", message))


def loaded(audit: Audit) -> document.AuditDocument:
    return document.load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))


def demo_in(language: str) -> Audit:
    audit = load_demo()
    Audit.objects.filter(pk=audit.pk).update(language=language)
    return audit


def parts_of(content: bytes, pattern: re.Pattern) -> dict[str, etree._Element]:
    with zipfile.ZipFile(BytesIO(content)) as archive:
        return {name: etree.fromstring(archive.read(name)) for name in archive.namelist() if pattern.search(name)}


def reimported(content: bytes, audit: Audit) -> document.AuditDocument:
    return loaded(import_audit(read_file(content), audit.flywheel))


# --- The language the exports are written in -----------------------------------------------------


def test_it_writes_every_export_in_the_audits_language(monkeypatch, flywheel):
    seen = {}
    for module in ("deck", "workbook", "json_export"):
        monkeypatch.setattr(
            f"audits.reports.exports.{module}.write",
            lambda _document, module=module: seen.update({module: translation.get_language()}) or b"",
        )
    audit = Audit.objects.create(flywheel=flywheel, title="Audit", period_year=2025, language="fa")
    with translation.override("en"):  # whoever downloads it reads English
        for file_format in ("pptx", "xlsx", "json"):
            export(loaded(audit), file_format)
    assert seen == {"deck": "fa", "workbook": "fa", "json_export": "fa"}


def test_it_compares_and_writes_a_comparison_in_the_later_audits_language(monkeypatch, flywheel):
    seen = []
    monkeypatch.setattr("audits.reports.exports.compare", lambda *_documents: seen.append(translation.get_language()))
    for module in ("comparison_deck", "comparison_workbook"):
        monkeypatch.setattr(
            f"audits.reports.exports.{module}.write", lambda _comparison: seen.append(translation.get_language())
        )
    monkeypatch.setattr("audits.reports.exports.as_data", lambda _comparison: seen.append(translation.get_language()))
    before = Audit.objects.create(flywheel=flywheel, title="2024", period_year=2024, language="en")
    after = Audit.objects.create(flywheel=flywheel, title="2025", period_year=2025, language="vi")
    with translation.override("en"):
        compare_for_export(loaded(before), loaded(after))
        stand_in = type("Comparison", (), {"after": loaded(after).header})()
        for file_format in ("pptx", "xlsx", "json"):
            export_comparison(stand_in, file_format)
    assert seen == ["vi"] * 4


# --- Persian: right to left ------------------------------------------------------------------------


def test_a_persian_deck_has_right_to_left_paragraphs_and_tables(translated):
    content = export(loaded(demo_in("fa")), "pptx")
    slides = parts_of(content, SLIDE_PARTS)
    paragraphs = [paragraph for part in slides.values() for paragraph in part.iterfind(".//a:p", NAMESPACES)]
    tables = [table for part in slides.values() for table in part.iterfind(".//a:tblPr", NAMESPACES)]
    assert len(paragraphs) > 300 and len(tables) > 5
    assert all(paragraph.find("a:pPr", NAMESPACES).get("rtl") == "1" for paragraph in paragraphs)
    assert all(table.get("rtl") == "1" for table in tables)
    # Text that would start at the left starts at the right; centred text stays centred. Only what
    # sits in the right-hand corner of an English slide (the slide number, the illustrative mark)
    # moves to the left-hand corner, aligned to its left.
    corner = {"Slide number", "Illustrative"}
    alignments = {
        paragraph.find("a:pPr", NAMESPACES).get("algn")
        for part in slides.values()
        for shape in part.iterfind(".//p:sp", {**NAMESPACES, "p": P})
        if shape.find(".//p:cNvPr", {"p": P}).get("name") not in corner
        for paragraph in shape.iterfind(".//a:p", NAMESPACES)
    }
    assert "l" not in alignments and {"r", "ctr"} <= alignments


def test_a_persian_decks_text_is_tagged_persian_with_a_font_for_its_script(translated):
    content = export(loaded(demo_in("fa")), "pptx")
    parts = parts_of(content, SLIDE_PARTS) | parts_of(content, CHART_PARTS)
    assert any(CHART_PARTS.search(name) for name in parts)
    runs = [run for part in parts.values() for run in part.iterfind(".//a:rPr", NAMESPACES)]
    assert runs and all(run.get("lang") == "fa-IR" for run in runs)
    assert all(run.find("a:cs", NAMESPACES).get("typeface") == "Tahoma" for run in runs)
    assert all(run.find("a:latin", NAMESPACES).get("typeface") == "Arial" for run in runs)
    charts = [
        paragraph
        for name, part in parts.items()
        if CHART_PARTS.search(name)
        for paragraph in part.iterfind(".//a:pPr", NAMESPACES)
    ]
    assert charts and all(paragraph.get("rtl") == "1" for paragraph in charts)


def test_a_persian_comparison_deck_is_right_to_left(translated):
    first = demo_in("en")
    second = Audit.objects.get(carried_from=first)
    Audit.objects.filter(pk=second.pk).update(language="fa")
    content = export_comparison(compare_for_export(loaded(first), loaded(second)), "pptx")
    slides = parts_of(content, SLIDE_PARTS)
    paragraphs = [paragraph for part in slides.values() for paragraph in part.iterfind(".//a:p", NAMESPACES)]
    assert paragraphs and all(paragraph.find("a:pPr", NAMESPACES).get("rtl") == "1" for paragraph in paragraphs)
    assert all(table.get("rtl") == "1" for part in slides.values() for table in part.iterfind(".//a:tblPr", NAMESPACES))


def test_an_english_deck_has_nothing_right_to_left():
    content = export(loaded(demo_in("en")), "pptx")
    parts = parts_of(content, SLIDE_PARTS) | parts_of(content, CHART_PARTS)
    xml = b"".join(etree.tostring(part) for part in parts.values())
    assert b'rtl="1"' not in xml
    runs = [run for part in parts.values() for run in part.iterfind(".//a:rPr", NAMESPACES)]
    assert runs and all(run.get("lang") == "en-US" and run.find("a:cs", NAMESPACES) is None for run in runs)


def test_a_persian_workbook_has_right_to_left_sheets_in_a_font_for_its_script(translated):
    book = load_workbook(BytesIO(export(loaded(demo_in("fa")), "xlsx")))
    assert all(worksheet.sheet_view.rightToLeft for worksheet in book.worksheets)
    cells = [cell for worksheet in book.worksheets for row in worksheet.iter_rows() for cell in row if cell.value]
    assert cells and all(cell.font.name == "Tahoma" for cell in cells)
    visible = [worksheet for worksheet in book.worksheets if worksheet.sheet_state == "visible"]
    headers = [cell for worksheet in visible for cell in worksheet[1] if cell.value]
    assert all(cell.alignment.readingOrder == 2 for cell in headers)


def test_a_persian_comparison_workbook_has_right_to_left_sheets(translated):
    first = demo_in("en")
    second = Audit.objects.get(carried_from=first)
    Audit.objects.filter(pk=second.pk).update(language="fa")
    content = export_comparison(compare_for_export(loaded(first), loaded(second)), "xlsx")
    book = load_workbook(BytesIO(content))
    assert len(book.worksheets) == 4
    assert all(worksheet.sheet_view.rightToLeft for worksheet in book.worksheets)
    assert all(worksheet["A1"].font.name == "Tahoma" for worksheet in book.worksheets)


def test_an_english_workbook_is_left_to_right_in_the_template_font():
    book = load_workbook(BytesIO(export(loaded(demo_in("en")), "xlsx")))
    assert not any(worksheet.sheet_view.rightToLeft for worksheet in book.worksheets)
    assert book["Friction"]["B2"].font.name == "Calibri"


# --- Translated sheet names and labels import back --------------------------------------------------


@pytest.mark.parametrize("language", ["fa", "vi"])
@pytest.mark.parametrize("uploader", ["en", "fa", "vi"])
def test_a_translated_workbook_imports_back_whoever_uploads_it(translated, language, uploader):
    audit = demo_in(language)
    original = loaded(audit)
    content = export(original, "xlsx")
    names = load_workbook(BytesIO(content), read_only=True).sheetnames
    assert "Friction" not in names  # the titles really are translated
    with translation.override(uploader):
        assert reimported(content, audit) == original


@pytest.mark.parametrize("language", ["fa", "vi"])
def test_a_workbook_in_the_shipped_translations_imports_back(language):
    audit = demo_in(language)
    original = loaded(audit)
    with translation.override("en"):
        assert reimported(export(original, "xlsx"), audit) == original


@pytest.mark.parametrize("language", ["fa", "vi"])
def test_a_translated_workbook_imports_back_by_its_titles_when_its_hidden_names_are_gone(translated, language):
    audit = demo_in(language)
    original = loaded(audit)
    book = load_workbook(BytesIO(export(original, "xlsx")))
    for name in list(book.defined_names):
        del book.defined_names[name]
    output = BytesIO()
    book.save(output)
    assert reimported(output.getvalue(), audit) == original


def test_a_renamed_sheet_is_found_by_its_hidden_name(translated):
    audit = demo_in("fa")
    original = loaded(audit)
    book = load_workbook(BytesIO(export(original, "xlsx")))
    # As Excel does when someone renames a sheet: the workbook names pointing at it follow.
    sheet = book[book.sheetnames[4]]
    sheet.title = "اصطکاک ما"
    book.defined_names[workbook.defined_name(workbook.FRICTION)].attr_text = "'اصطکاک ما'!$A$1"
    output = BytesIO()
    book.save(output)
    assert reimported(output.getvalue(), audit) == original


def test_every_sheet_title_is_valid_and_distinct_in_every_language(translated):
    for titles in in_every_language(workbook.sheet_titles):
        assert len({title.casefold() for title in titles.values()}) == len(titles)
        for title in titles.values():
            assert 0 < len(title) <= 31 and not re.search(r"[\[\]:*?/\\]", title) and not title.startswith("'")


def test_every_sheet_keeps_its_column_titles_distinct_in_every_language():
    """A translation that gave two columns of a sheet one title would make the workbook's table invalid."""
    for columns in INPUT_SHEETS.values():
        for titles in in_every_language(lambda columns=columns: [str(column.title).casefold() for column in columns]):
            assert len(set(titles)) == len(titles), titles


# --- Vietnamese: every diacritic survives -----------------------------------------------------------


@pytest.fixture
def vietnamese_audit(flywheel):
    audit = Audit.objects.create(flywheel=flywheel, title=VIETNAMESE, period_year=2025, language="vi")
    StageStrategy.objects.create(audit=audit, stage="attract", principle=VIETNAMESE, approach=VIETNAMESE)
    team = Team.objects.create(audit=audit, name="Đội bán hàng", position=0)
    Force.objects.create(audit=audit, team=team, name=VIETNAMESE[:200], before=VIETNAMESE, now=VIETNAMESE, position=0)
    FrictionPoint.objects.create(
        audit=audit, source=VIETNAMESE, automation="Chatbot trả lời ngay lập tức", owner="Nguyễn Thị Ánh", position=0
    )
    FrictionPoint.objects.create(audit=audit, source=PERSIAN, position=1)
    metric = MetricFactory(audit=audit, name="Khách truy cập — Đà Nẵng", unit="lượt")
    ReadingFactory(metric=metric, gained=10, lost=2, total=100)
    return audit


@pytest.mark.parametrize("file_format", ["xlsx", "json"])
def test_vietnamese_diacritics_survive_the_round_trip(translated, vietnamese_audit, file_format):
    original = loaded(vietnamese_audit)
    copy = reimported(export(original, file_format), vietnamese_audit)
    assert copy == original
    assert copy.header.title == VIETNAMESE and copy.friction[0].source == VIETNAMESE
    assert copy.friction[0].owner == "Nguyễn Thị Ánh" and copy.teams[0].name == "Đội bán hàng"


def test_the_json_backup_holds_vietnamese_as_written(vietnamese_audit):
    data = json.loads(export(loaded(vietnamese_audit), "json"))
    assert data["audit"]["title"] == VIETNAMESE
    assert data["friction"][0]["source"] == VIETNAMESE


def test_a_vietnamese_deck_holds_its_text_tagged_vietnamese_in_a_font_with_its_diacritics(translated, vietnamese_audit):
    content = export(loaded(vietnamese_audit), "pptx")
    slides = parts_of(content, SLIDE_PARTS)
    texts = "".join(text for part in slides.values() for text in part.xpath(".//a:t/text()", namespaces=NAMESPACES))
    assert VIETNAMESE in texts and "Nguyễn Thị Ánh" in texts
    runs = [run for part in slides.values() for run in part.iterfind(".//a:rPr", NAMESPACES)]
    assert all(
        run.get("lang") == "vi-VN" and run.find("a:latin", NAMESPACES).get("typeface") == "Arial" for run in runs
    )
    assert b'rtl="1"' not in b"".join(etree.tostring(part) for part in slides.values())
    book = load_workbook(BytesIO(export(loaded(vietnamese_audit), "xlsx")))
    assert not any(worksheet.sheet_view.rightToLeft for worksheet in book.worksheets)
    assert book.worksheets[0]["B2"].value == VIETNAMESE and book.worksheets[0]["B2"].font.name == "Arial"
