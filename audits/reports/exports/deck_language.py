"""The language pass over XML python-pptx wrote itself: language tags, fonts, right to left.

The decks write their own text in the deck's language as they go (`slides.write_runs`), so no
pass over a finished deck is needed. What python-pptx writes itself gets this pass where it is
made: the template's master and layouts once per language (`slides._template`), and each
chart's axes and legend (`apply_to_chart`). `apply`, the pass over a whole deck, remains for any
deck written without the slide toolkit.

python-pptx has no API for right to left (python-pptx #851): a paragraph takes `rtl="1"` on its
`a:pPr` and a table `rtl="1"` on its `a:tblPr`, which puts its first column on the right. DrawingML
aligns to absolute sides, so right-to-left paragraphs are also mirrored: left (the default) becomes
right and right becomes left; centred text stays centred. Chart text only takes the direction:
a chart places its titles and labels itself.
"""

from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType

from audits.reports.exports.languages import Script, script_of

A_P, A_PPR, A_TBL_PR = qn("a:p"), qn("a:pPr"), qn("a:tblPr")
A_LATIN, A_CS = qn("a:latin"), qn("a:cs")
TEXT_PROPERTIES = (qn("a:rPr"), qn("a:endParaRPr"), qn("a:defRPr"))
# What may follow a:latin and a:cs within text properties: the schema fixes the order.
AFTER_LATIN = tuple(qn(f"a:{tag}") for tag in ("ea", "cs", "sym", "hlinkClick", "hlinkMouseOver", "rtl", "extLst"))
AFTER_CS = AFTER_LATIN[2:]
MIRRORED = {None: "r", "l": "r", "r": "l"}
SLIDE_PARTS, CHART_PARTS = ("/ppt/slides/", "/ppt/notesSlides/"), ("/ppt/charts/",)


def apply(deck: PresentationType, language: str) -> None:
    """Mark every slide's, notes page's and chart's text as written in `language`."""
    script = script_of(language)
    for part in deck.part.package.iter_parts():
        name = str(part.partname)
        is_chart = name.startswith(CHART_PARTS)
        if is_chart or name.startswith(SLIDE_PARTS):
            apply_to(part._element, script, align=not is_chart)


def apply_to_chart(element, script: Script) -> None:
    """The language pass for one chart's XML: the text python-pptx writes there itself (axes, legend)."""
    apply_to(element, script, align=False)


def apply_to(element, script: Script, align: bool) -> None:
    """Tag, set the fonts of and, for a right-to-left script, turn every paragraph and table in `element`."""
    for properties in list(element.iter(*TEXT_PROPERTIES)):
        properties.set("lang", script.tag)
        if script.latin_font:
            _set_font(properties, A_LATIN, script.latin_font, AFTER_LATIN)
        if script.complex_font:
            _set_font(properties, A_CS, script.complex_font, AFTER_CS)
    if not script.right_to_left:
        return
    for paragraph in list(element.iter(A_P)):
        properties = paragraph.find(A_PPR)
        if properties is None:
            properties = paragraph.makeelement(A_PPR, {})
            paragraph.insert(0, properties)
        properties.set("rtl", "1")
        if align and properties.get("algn") in MIRRORED:
            properties.set("algn", MIRRORED[properties.get("algn")])
    for table in element.iter(A_TBL_PR):
        table.set("rtl", "1")


def _set_font(properties, tag: str, typeface: str, followers: tuple[str, ...]) -> None:
    for old in properties.findall(tag):
        properties.remove(old)
    font = properties.makeelement(tag, {"typeface": typeface})
    follower = next((child for child in properties if child.tag in followers), None)
    if follower is None:
        properties.append(font)
    else:
        follower.addprevious(font)
