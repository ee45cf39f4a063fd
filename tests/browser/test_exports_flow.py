"""Taking an audit away and bringing it back, end to end in Chromium.

The demo user downloads the demo audit as a PowerPoint deck and as an Excel workbook, edits the
workbook as one would in Excel (with openpyxl), and imports it into the flywheel as a new audit.
A workbook with a mistake in it is refused with the list of its problems, and nothing is saved.
"""

import re
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pptx import Presentation

from audits.content.demo import DEMO_AUDIT, DEMO_FLYWHEEL, DEMO_PASSWORD, DEMO_USERNAME, load_demo

EDITED_SOURCE = "Edited in Excel: handoffs are slow"


def log_in_to_the_demo(page: Page) -> None:
    load_demo()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(DEMO_USERNAME)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("^Flywheels of"))).to_be_visible()


def open_the_demo_audit(page: Page) -> None:
    page.get_by_role("link", name=DEMO_FLYWHEEL).click()
    page.get_by_role("link", name=DEMO_AUDIT, exact=True).click()
    expect(page.get_by_role("heading", name=DEMO_AUDIT, exact=True)).to_be_visible()


def download(page: Page, link_name: str, folder: Path) -> Path:
    """Click a "Take it with you" link; return the saved file, under the name the server suggested."""
    with page.expect_download() as info:
        page.get_by_role("region", name="Take it with you").get_by_role("link", name=link_name).click()
    name = info.value.suggested_filename
    assert name.isascii(), name
    path = folder / name
    info.value.save_as(path)
    return path


def edit_cell(path: Path, sheet: str, column_title: str, row: int, value: str) -> None:
    """Change one cell, found by its column's title in the header row, as someone would in Excel."""
    workbook = load_workbook(path)
    worksheet = workbook[sheet]
    titles = [cell.value for cell in worksheet[1]]
    worksheet.cell(row=row, column=titles.index(column_title) + 1, value=value)
    workbook.save(path)


def import_into_the_flywheel(page: Page, path: Path) -> None:
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name=DEMO_FLYWHEEL).click()
    page.get_by_role("link", name="Import audit").click()
    expect(page.get_by_role("heading", name=f"Import an audit into {DEMO_FLYWHEEL}")).to_be_visible()
    page.get_by_label("Workbook or backup").set_input_files(path)
    page.get_by_role("button", name="Import").click()


def audit_rows(page: Page):
    # The 2018 audit and its copies, not the demo's 2019 audit ("… 2019").
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=DEMO_AUDIT, exact=True))


def test_it_downloads_the_deck_and_the_workbook_and_imports_the_edited_workbook(page: Page, tmp_path: Path):
    log_in_to_the_demo(page)
    open_the_demo_audit(page)
    demo_url = page.url

    deck = download(page, "PowerPoint deck (.pptx)", tmp_path)
    assert deck.suffix == ".pptx", deck.name
    slides = list(Presentation(deck).slides)
    assert len(slides) >= 8
    # Not only the title slide: the diagram's slide, its kicker "The flywheel" above a message title.
    kickers = [shape.text_frame.text for slide in slides for shape in slide.shapes if shape.name == "Kicker"]
    assert "The flywheel" in kickers, kickers

    workbook = download(page, "Excel workbook (.xlsx)", tmp_path)
    assert workbook.suffix == ".xlsx", workbook.name
    assert {"Overview", "Strategy", "Metrics", "Forces", "Friction"} <= set(load_workbook(workbook).sheetnames)

    edit_cell(workbook, "Friction", "Source of friction", 2, EDITED_SOURCE)
    import_into_the_flywheel(page, workbook)
    expect(page.get_by_role("status")).to_contain_text(f"Imported “{DEMO_AUDIT}” as a new audit of {DEMO_FLYWHEEL}.")
    expect(page.get_by_role("heading", name=DEMO_AUDIT, exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/audits/\d+/$"))
    assert page.url != demo_url

    page.get_by_role("navigation", name="Workshop steps").get_by_role("link", name=re.compile(r"\bIdentify\b")).click()
    expect(page.get_by_role("heading", name="Identify the friction", level=1)).to_be_visible()
    expect(page.get_by_label("Source of friction, row 1", exact=True)).to_have_value(EDITED_SOURCE)

    # The demo audit itself is unchanged, and the flywheel now lists both.
    page.goto(demo_url)
    page.get_by_role("navigation", name="Workshop steps").get_by_role("link", name=re.compile(r"\bIdentify\b")).click()
    expect(page.get_by_label("Source of friction, row 1", exact=True)).not_to_have_value(EDITED_SOURCE)
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name=DEMO_FLYWHEEL).click()
    expect(audit_rows(page)).to_have_count(2)


def test_it_refuses_a_workbook_with_a_mistake_and_saves_nothing(page: Page, tmp_path: Path):
    log_in_to_the_demo(page)
    open_the_demo_audit(page)
    workbook = download(page, "Excel workbook (.xlsx)", tmp_path)
    edit_cell(workbook, "Friction", "Stage", 2, "Atract")

    import_into_the_flywheel(page, workbook)
    errors = page.get_by_role("alert")
    expect(errors.get_by_role("heading")).to_have_text("The file was not imported: 1 problem")
    # Column D: the Friction sheet's columns are #, Source of friction, Origin, Stage, ...
    expect(errors.get_by_role("listitem")).to_have_text(
        ["Friction sheet, row 2, column D: stage 'Atract' is not one of Attract, Engage, Delight."]
    )
    # The form is there to try again; the flywheel still has only the demo audit.
    expect(page.get_by_label("Workbook or backup")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", name=DEMO_FLYWHEEL, exact=True)).to_be_visible()
    expect(audit_rows(page)).to_have_count(1)
