"""Imports cannot tie up or crash a worker: whatever a file holds, it is read or refused within bounds, with a 4xx.

Limits are lowered in most tests (the `settings` fixture) so that files stay small and tests fast.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl.styles import Font

from audits.content import document
from audits.content.starting import start_audit
from audits.models import Audit, FrictionPoint, Team
from audits.reports.exports import json_export
from audits.reports.exports import workbook as xlsx_export
from audits.reports.imports import ImportFailed, import_audit, read_file
from audits.reports.imports import workbook_import as xlsx_import

from .spreadsheets import edited, entries_of, zipped


def loaded(audit: Audit) -> document.AuditDocument:
    return document.load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))


@pytest.fixture
def started(audit) -> Audit:
    """The audit with the rows every audit starts with: 3 strategies, 3 teams, 3 self-assessment answers."""
    start_audit(audit)
    return audit


@pytest.fixture
def backup(started) -> dict:
    return json_export.as_data(loaded(started))


@pytest.fixture
def workbook(started) -> bytes:
    """The started audit's workbook: 32 rows in its input sheets."""
    return xlsx_export.write(loaded(started))


def refused(content: bytes, flywheel) -> list[str]:
    """The errors of a refused import; and nothing was saved."""
    before = (Audit.objects.count(), FrictionPoint.objects.count(), Team.objects.count())
    with pytest.raises(ImportFailed) as failure:
        import_audit(read_file(content), flywheel)
    assert (Audit.objects.count(), FrictionPoint.objects.count(), Team.objects.count()) == before
    return failure.value.errors


def encoded(data) -> bytes:
    return json.dumps(data).encode()


def post(client, flywheel, content: bytes, name: str = "backup.json"):
    url = reverse("audits:audit-import", args=[flywheel.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


# Rows: every row counts, in a backup as in a workbook.


def test_it_imports_a_backup_of_exactly_the_row_limit_and_refuses_one_row_more(backup, flywheel, settings):
    settings.IMPORT_MAX_ROWS = 9
    assert import_audit(read_file(encoded(backup)), flywheel).title == "Annual audit"
    backup["friction"].append({"source": "One too many", "stage": "attract"})
    assert refused(encoded(backup), flywheel) == ["The backup has more than 9 rows; split the audit or remove rows."]


def test_it_counts_readings_and_forces_and_empty_rows(backup, flywheel, settings):
    settings.IMPORT_MAX_ROWS = 30
    backup["metrics"] = [{"name": "Visits", "stage": "attract", "kind": "value", "period": "month", "readings": []}]
    backup["metrics"][0]["readings"] = [{} for _ in range(15)]
    backup["teams"][0]["forces"] = [{} for _ in range(15)]
    assert refused(encoded(backup), flywheel) == ["The backup has more than 30 rows; split the audit or remove rows."]


def test_it_refuses_a_backup_of_hundreds_of_thousands_of_empty_rows_before_reading_them(backup, flywheel):
    backup["friction"] = [{}] * 300_000  # about a megabyte
    assert refused(encoded(backup), flywheel) == [
        "The backup has more than 20,000 rows; split the audit or remove rows."
    ]


def test_it_refuses_a_backup_holding_more_values_than_its_rows_can(backup, flywheel, settings):
    settings.IMPORT_MAX_ROWS = 10
    backup["audit"]["title"] = [0] * 500
    assert refused(encoded(backup), flywheel) == [
        "The backup holds more values than 10 rows have; split the audit or remove rows."
    ]


def font_on(sheet, cells) -> None:
    for row, column in cells:
        sheet.cell(row=row, column=column).font = Font(bold=True)  # a formatted cell with nothing in it


def test_it_counts_a_workbooks_blank_rows(workbook, flywheel, settings):
    settings.IMPORT_MAX_ROWS = 60
    assert import_audit(xlsx_import.read(workbook), flywheel).title == "Annual audit"
    blank = edited(workbook, lambda book: font_on(book["Friction"], [(row, 2) for row in range(3, 203)]))
    assert refused(blank, flywheel) == ["The workbook has more than 60 rows; split the audit or remove rows."]


def test_it_refuses_a_row_a_million_rows_down(workbook, flywheel, settings):
    settings.IMPORT_MAX_ROWS = 60
    far = edited(workbook, lambda book: font_on(book["Friction"], [(1_048_576, 1)]))
    assert refused(far, flywheel) == ["The workbook has more than 60 rows; split the audit or remove rows."]


def test_it_refuses_a_single_row_of_many_blank_cells_before_parsing_it_whole(workbook, flywheel):
    entries = entries_of(workbook)
    friction = "xl/worksheets/sheet5.xml"
    assert b"Source of friction" in entries[friction]
    entries[friction] = entries[friction].replace(
        b"</sheetData>", b'<row r="3">' + b"<c/>" * 50_000 + b"</row></sheetData>"
    )
    assert refused(zipped(entries), flywheel) == [
        "A row of the workbook holds more cells than a workbook of this tool has; it cannot be read."
    ]


def test_it_refuses_more_cells_than_its_rows_can_have(workbook, flywheel, settings):
    settings.IMPORT_MAX_ROWS = 100  # so 10,000 tags in the sheets, all told
    entries = entries_of(workbook)
    wide = b"".join(b'<row r="%d">' % number + b"<c/>" * 1000 + b"</row>" for number in range(3, 23))
    entries["xl/worksheets/sheet5.xml"] = entries["xl/worksheets/sheet5.xml"].replace(
        b"</sheetData>", wide + b"</sheetData>"
    )
    assert refused(zipped(entries), flywheel) == [
        "The workbook holds more cells than 100 rows have; split the audit or remove rows."
    ]


def test_it_refuses_a_style_sheet_of_more_styles_than_any_workbook_has(workbook, flywheel):
    entries = entries_of(workbook)
    styles = entries["xl/styles.xml"]
    start = styles.index(b">", styles.index(b"<cellXfs")) + 1
    many = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' * 60_000
    entries["xl/styles.xml"] = styles[:start] + many + styles[start:]
    assert refused(zipped(entries), flywheel) == [
        "The workbook's part xl/styles.xml is larger than in any workbook of this tool; it cannot be read."
    ]


def test_it_refuses_more_shared_texts_than_its_rows_can_have(workbook, flywheel, settings):
    settings.IMPORT_MAX_ROWS = 60
    entries = entries_of(workbook)
    strings = b"<si><t>text</t></si>" * 1000
    entries["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings + b"</sst>"
    )
    entries["[Content_Types].xml"] = entries["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    assert refused(zipped(entries), flywheel) == [
        "The workbook's part xl/sharedStrings.xml is larger than in any workbook of this tool; it cannot be read."
    ]


def test_it_stops_reading_at_the_deadline(backup, workbook, flywheel, settings):
    settings.IMPORT_MAX_SECONDS = 0
    message = "The file takes more than 0 seconds to read; split the audit into smaller files."
    assert refused(encoded(backup), flywheel) == [message]
    assert refused(workbook, flywheel) == [message]


# Nesting, numbers and characters that used to be a 500.


def test_a_backup_nested_a_hundred_thousand_deep_is_a_422_with_a_message(owner_client, flywheel):
    deep = b'{"schema_version": 1, "audit": {"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    response = post(owner_client, flywheel, deep)
    assert response.status_code == 422
    assert "The file is nested too deeply (more than 10 levels)" in response.content.decode()
    assert Audit.objects.count() == 0


def test_nesting_is_refused_even_when_brackets_do_not_close(owner_client, flywheel):
    response = post(owner_client, flywheel, b'{"audit": ' + b"{[" * 50_000)
    assert response.status_code == 422
    assert "nested too deeply" in response.content.decode()


def test_it_refuses_a_value_nested_deeper_than_a_backup_ever_is(backup, flywheel):
    backup["audit"]["title"] = json.loads("[" * 50 + "]" * 50)
    assert refused(encoded(backup), flywheel) == [
        "The file is nested too deeply (more than 10 levels): it is not a Flywheel Audit backup."
    ]


def test_brackets_and_quotes_inside_texts_do_not_count(backup, flywheel, settings):
    settings.IMPORT_MAX_ROWS = 9
    backup["audit"]["title"] = '[[[[[[[[[[[[{{{{{{{{{{{{,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\\" "'
    assert import_audit(read_file(encoded(backup)), flywheel).title == backup["audit"]["title"]


def test_a_number_too_long_to_read_is_a_422(owner_client, flywheel, backup):
    content = encoded(backup).replace(b'"period_year": 2025', b'"period_year": 1' + b"0" * 5000)
    response = post(owner_client, flywheel, content)
    assert response.status_code == 422
    assert "The file holds a number with too many digits to read." in response.content.decode()


def test_invalid_characters_in_a_title_and_a_stage_are_a_422_naming_where(owner_client, flywheel, backup):
    backup["audit"]["title"] = "Audit \ud800"
    backup["strategies"][0]["stage"] = "\udfff"
    response = post(owner_client, flywheel, encoded(backup))  # json.dumps writes them as \ud800 escapes
    page = response.content.decode()
    assert response.status_code == 422
    assert "audit, title: contains characters that are not valid text." in page
    assert "strategies[0], stage: contains characters that are not valid text." in page
    assert Audit.objects.count() == 1  # the started audit alone


def test_invalid_characters_are_refused_in_any_row_before_it_is_checked(backup, flywheel):
    backup["teams"][1]["forces"] = [{"name": "Force", "owner": "\ud83d"}]
    assert refused(encoded(backup), flywheel) == [
        "teams[1].forces[0], owner: contains characters that are not valid text."
    ]


def test_no_error_message_carries_an_invalid_character():
    assert ImportFailed(["stage '\ud800' is not one of Attract"]).errors == ["stage '\ufffd' is not one of Attract"]


@pytest.mark.parametrize("version", [True, 1.0, "1", [1]])
def test_only_the_integer_schema_version_is_accepted(backup, flywheel, version):
    backup["schema_version"] = version
    (error,) = refused(encoded(backup), flywheel)
    assert error == f"Backup schema version {version!r} is not supported (this tool reads 1)."


# Error messages stay short, whatever the file holds.


def test_messages_quote_at_most_eighty_characters_of_a_value(backup, flywheel):
    backup["strategies"][0]["stage"] = "s" * 5000
    backup["action_reviews"] = [{"kind": "k" * 5000, "what": "What", "fix": "Fix"}]
    backup["metrics"] = [
        {"name": "Visits", "stage": "attract", "kind": "value", "period": "month", "readings": [{"period": "p" * 5000}]}
    ]
    errors = refused(encoded(backup), flywheel)
    assert f"strategies[0]: stage '{'s' * 79}…' is not one of Attract, Engage, Delight." in errors
    assert f"action_reviews[0]: for '{'k' * 79}…' is not one of Friction, Force." in errors
    assert any(error.startswith("metrics[0].readings[0], period: “" + "p" * 79 + "…” ") for error in errors)
    assert max(len(error) for error in errors) < 300


def test_the_error_page_of_ten_thousand_bad_rows_stays_short(owner_client, flywheel, backup):
    backup["friction"] = [{"source": "Slow replies", "stage": "z" * 1000} for _ in range(10_000)]
    response = post(owner_client, flywheel, encoded(backup))
    page = response.content.decode()
    assert response.status_code == 422
    assert "The file was not imported: 10000 problems" in page
    assert page.count("is not one of Attract") == 20
    assert "…and 9980 more problems." in page
    assert "z" * 80 not in page
    assert len(response.content) < 50_000
