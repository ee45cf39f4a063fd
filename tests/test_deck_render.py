"""The demo decks, drawn by LibreOffice: no text box's text leaves its shape, in English, Vietnamese and Persian.

python-pptx cannot measure text, so the decks are laid out by estimates (exports/pptx_layout).
Here they are rendered for real — `soffice --headless --convert-to pdf` — and every word's
position in the PDF (`pdftotext -bbox`) is checked against the box of the shape it belongs to:
text boxes, titles, table frames (whose rows grow with their text) and the flywheel's labels.
Skipped, with the reason, where LibreOffice or poppler is not installed, or where Calibri's
metric twin (Carlito) is missing: another substitute draws wider and would fail a sound deck.
"""

import html
import math
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from audits.content.demo import load_demo
from audits.content.document import load
from audits.models import Audit
from audits.reports.exports import export

pytestmark = pytest.mark.django_db

EMU_PER_POINT = 12700
TOLERANCE = 2.5  # points: anti-aliasing and the PDF's rounding
# A word's nearest namesake farther than this from the shape is another shape's word (the same figure
# in a title and a table, or a Persian number drawn in another order): not located, not an overflow.
NEAREST = 60
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.DOTALL)


def missing_tools() -> str:
    for tool in ("soffice", "pdftotext", "fc-match"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install libreoffice-impress poppler-utils)"
    calibri = subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True).stdout
    if "Carlito" not in calibri:
        return f"Calibri is drawn with {calibri.strip()!r}, not Carlito (apt-get install fonts-crosextra-carlito)"
    return ""


RENDERED: dict = {}  # made by the first test, read by the others: one LibreOffice run for the three


@pytest.fixture
def rendered(tmp_path_factory):
    """{language: (deck, [words of each page])}, the three demo decks converted in one LibreOffice run."""
    reason = missing_tools()
    if reason:
        print(f"Skipped: {reason}")
        pytest.skip(reason)
    if not RENDERED:
        RENDERED.update(render(tmp_path_factory.mktemp("decks")))
    return RENDERED


def render(folder: Path) -> dict:
    audit = load_demo()
    for language in ("en", "vi", "fa"):
        Audit.objects.filter(pk=audit.pk).update(language=language)
        document = load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))
        (folder / f"demo-{language}.pptx").write_bytes(export(document, "pptx"))
    profile = folder / "profile"
    command = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf"]
    files = sorted(str(path) for path in folder.glob("*.pptx"))
    subprocess.run([*command, "--outdir", str(folder), *files], capture_output=True, timeout=300, check=True)
    result = {}
    for language in ("en", "vi", "fa"):
        pdf = folder / f"demo-{language}.pdf"
        layout = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
        pages = [
            [(html.unescape(text), *map(float, box)) for *box, text in WORD.findall(page)]
            for page in PAGE.findall(layout.stdout)
        ]
        result[language] = (Presentation(folder / f"demo-{language}.pptx"), pages)
    return result


def boxes_of(shapes, rotation: float = 0):
    """(shape, box in points) of every shape holding text: groups opened, rotated boxes as their bounds."""
    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from boxes_of(shape.shapes)
            continue
        if shape.has_chart or not (shape.has_table or (shape.has_text_frame and shape.text_frame.text.strip())):
            continue
        left, top, width, height = (
            value / EMU_PER_POINT for value in (shape.left, shape.top, shape.width, shape.height)
        )
        if shape.rotation:
            # pdftotext gives a turned word's box in its own turned frame: the flywheel's labels
            # along the ring are checked by geometry instead (test_deck_story).
            continue
        yield shape, (left, top, left + width, top + height)


def words_of(shape) -> list[str]:
    if shape.has_table:
        text = "\n".join(cell.text for row in shape.table.rows for cell in row.cells)
    else:
        text = shape.text_frame.text
    return [word for word in text.split() if key(word)]


def key(word: str) -> str:
    """A word as both sides spell it: Persian draws a number's sign and percent at its other end."""
    return unicodedata.normalize("NFC", word).strip("+−-%٪()[],.:;«»…")


def outside(box, word_box) -> float:
    """How far (points) a word's box reaches out of the shape's box; 0 inside."""
    left, top, right, bottom = box
    x0, y0, x1, y1 = word_box
    return max(left - x0, top - y0, x1 - right, y1 - bottom, 0)


def distance(box, word_box) -> float:
    cx, cy = (word_box[0] + word_box[2]) / 2, (word_box[1] + word_box[3]) / 2
    left, top, right, bottom = box
    return math.hypot(max(left - cx, 0, cx - right), max(top - cy, 0, cy - bottom))


@pytest.mark.parametrize("language", ["en", "vi", "fa"])
def test_no_text_leaves_its_shape_when_drawn(rendered, language):
    deck, pages = rendered[language]
    assert len(pages) == len(deck.slides)
    problems, checked = [], 0
    for number, (slide, words) in enumerate(zip(deck.slides, pages, strict=True), start=1):
        by_text: dict[str, list] = {}
        for text, *box in words:
            by_text.setdefault(key(text), []).append(box)
        for shape, box in boxes_of(slide.shapes):
            for word in words_of(shape):
                candidates = by_text.get(key(word), []) + by_text.get(key(word[::-1]), [])
                if not candidates:
                    continue  # split or joined differently by the PDF's text layer: not located
                nearest = min(candidates, key=lambda word_box: distance(box, word_box))
                if distance(box, nearest) > NEAREST:
                    continue
                checked += 1
                if outside(box, nearest) > TOLERANCE:
                    problems.append(f"slide {number}, {shape.name}: {word!r} {outside(box, nearest):.1f} pt out")
    assert checked > 500, "too few words located in the PDF to judge"
    assert not problems, "\n".join(problems[:20])
