"""Workbooks as people change them: edited with openpyxl, or opened and saved again by LibreOffice."""

import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook


def edited(content: bytes, change) -> bytes:
    """The workbook after `change(workbook)`, saved as a spreadsheet program would."""
    workbook = load_workbook(BytesIO(content))
    change(workbook)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def entries_of(content: bytes) -> dict[str, bytes]:
    """A workbook's zip entries by name: its parts, to take apart or tamper with."""
    with zipfile.ZipFile(BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(entries: dict[str, bytes]) -> bytes:
    output = BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return output.getvalue()


def resaved_by_libreoffice(content: bytes, folder: Path) -> Path:
    """Open the workbook in LibreOffice (headless) and save it again; return the saved file's path.

    Installed but unable to open our workbook is a failure, not a skip.
    """
    (folder / "in").mkdir()
    (folder / "in" / "audit.xlsx").write_bytes(content)
    command = [
        "soffice",
        f"-env:UserInstallation=file://{folder}/profile",
        "--headless",
        "--convert-to",
        "xlsx",
        "--outdir",
        str(folder / "out"),
        str(folder / "in" / "audit.xlsx"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    saved = folder / "out" / "audit.xlsx"
    assert saved.exists(), f"LibreOffice did not convert the workbook: {result.stderr}"
    return saved
