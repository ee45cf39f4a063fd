"""Every text a template shows is marked for translation.

The checker reads a template as Django's lexer does: text inside {% translate %} and
{% blocktranslate %}…{% endblocktranslate %} is marked; other tags, variables and comments show no
text of their own. What is left is read as HTML: its text, and the attributes people see or hear
(title, alt, placeholder, aria-label, an input button's value, hx-confirm), must have no words left.

String literals inside tags and variables are checked too when they look like text for people:
a filter argument or a `key="value"` argument with a letter and a space or a capital
(`default:"not scheduled"`, `add:": status"`, `with button="Add period"`). Wrap those in `_("…")`
or build the text with {% translate … as name %}. Positional tag arguments ("audits/x.html",
'audits:home', "metric") are names, not text, and date formats are formats.
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType
from django.template.loader import get_template

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
TEMPLATES = sorted(path for path in TEMPLATES_DIR.rglob("*") if path.suffix in (".html", ".txt"))

# Symbols, punctuation and numbers (—, ·, ›, ×, →, ←, ✓, #, %, 12) have no letters: never reported.
# These have letters and still are not words to translate (none so far; add with care).
NON_WORDS: frozenset[str] = frozenset()
VISIBLE_ATTRIBUTES = {
    "title",
    "alt",
    "placeholder",
    "label",
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "hx-confirm",
    "hx-prompt",
    "data-confirm",
}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
# Filters whose argument is a format, not a text.
FORMAT_FILTERS = {"date", "time"}
# A filter argument (name:"…") or a keyword argument (name="…"), not wrapped in _( ).
LITERAL_ARGUMENT = re.compile(r"""(\w+)\s*([:=])\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
TRANSLATE_TAGS = {"translate", "trans"}
# Stands where a tag or variable was, so that the texts on either side are reported apart.
TAG_MARK = "\f"  # whitespace to HTML, and in no template
BLOCK_TRANSLATE_TAGS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}


@dataclass(frozen=True)
class Unmarked:
    line: int
    text: str


def has_words(text: str) -> bool:
    text = text.strip()
    return any(character.isalpha() for character in text) and text not in NON_WORDS


def looks_like_text(literal: str) -> bool:
    """Whether a string literal in a tag reads as text for people rather than a name or a key."""
    value = literal[1:-1]
    letters = [character for character in value if character.isalpha()]
    return bool(letters) and value not in NON_WORDS and (" " in value or letters[0].isupper())


def unmarked_literals(token) -> list[Unmarked]:
    found = []
    for name, separator, literal in LITERAL_ARGUMENT.findall(token.contents):
        if separator == ":" and name in FORMAT_FILTERS:
            continue
        if looks_like_text(literal):
            found.append(Unmarked(token.lineno, literal))
    return found


def html_without_marked_text(source: str) -> tuple[str, list[Unmarked]]:
    """Return the template as plain HTML with tags, variables, comments and marked text taken out.

    Lines keep their numbers: what is taken out leaves its line breaks behind. Literals in tags
    and variables that look like unmarked text are returned beside it.
    """
    parts: list[str] = []
    literals: list[Unmarked] = []
    closing_tag = None  # while inside {% comment %} or {% blocktranslate %}: the tag that ends it
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.TEXT:
            parts.append("\n" * token.contents.count("\n") if closing_tag else token.contents)
            continue
        if token.token_type == TokenType.COMMENT or not token.contents:
            continue
        tag_name = token.contents.split()[0]
        if closing_tag:
            if tag_name == closing_tag:
                closing_tag = None
        elif token.token_type == TokenType.BLOCK and tag_name == "comment":
            closing_tag = "endcomment"
        elif token.token_type == TokenType.BLOCK and tag_name in BLOCK_TRANSLATE_TAGS:
            closing_tag = BLOCK_TRANSLATE_TAGS[tag_name]
            literals += unmarked_literals(token)
        elif not (token.token_type == TokenType.BLOCK and tag_name in TRANSLATE_TAGS):
            literals += unmarked_literals(token)
        if not closing_tag:
            parts.append(TAG_MARK)
    return "".join(parts), literals


class VisibleTextParser(HTMLParser):
    """Collects the HTML's text and visible attribute values that still have words in them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.unmarked: list[Unmarked] = []
        self.in_script_or_style = False

    def handle_starttag(self, tag, attrs):
        self.in_script_or_style = tag in ("script", "style")
        attributes = dict(attrs)
        checked = set(VISIBLE_ATTRIBUTES)
        # A <button> shows its content, and its value is data; an <input> button shows its value.
        if tag == "input" and attributes.get("type") in BUTTON_INPUT_TYPES:
            checked.add("value")
        for name, value in attrs:
            if name in checked and value and any(has_words(piece) for piece in value.split(TAG_MARK)):
                shown = " … ".join(piece.strip() for piece in value.split(TAG_MARK) if piece.strip())
                self.unmarked.append(Unmarked(self.getpos()[0], f'{name}="{shown}"'))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.in_script_or_style = False

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.in_script_or_style = False

    def handle_data(self, data):
        if self.in_script_or_style:
            return
        line = self.getpos()[0]
        for piece in data.split(TAG_MARK):
            if has_words(piece):
                leading_space = piece[: len(piece) - len(piece.lstrip())]
                self.unmarked.append(Unmarked(line + leading_space.count("\n"), " ".join(piece.split())))
            line += piece.count("\n")


def unmarked_text(source: str) -> list[Unmarked]:
    """Return the texts of a template that are not marked for translation, in line order."""
    html, literals = html_without_marked_text(source)
    parser = VisibleTextParser()
    parser.feed(html)
    parser.close()
    return sorted(parser.unmarked + literals, key=lambda found: found.line)


# --- The checker itself --------------------------------------------------------------------


def test_it_reports_unmarked_text_attributes_and_literals():
    source = (
        "{% load i18n %}\n"
        "{% block title %}Flywheels{% endblock %}\n"
        '<a href="{% url \'audits:home\' %}" title="Home">{{ flywheel.name }}</a>\n'
        '<button type="submit">Delete {{ row }}</button>\n'
        '<input type="submit" value="Save">\n'
        '{{ audit.workshop_date|date:"j M Y"|default:"not scheduled" }}\n'
        '{% include "audits/partials/add_form.html" with kind="metric" button="Add metric" %}\n'
    )
    assert unmarked_text(source) == [
        Unmarked(2, "Flywheels"),
        Unmarked(3, 'title="Home"'),
        Unmarked(4, "Delete"),
        Unmarked(5, 'value="Save"'),
        Unmarked(6, '"not scheduled"'),
        Unmarked(7, '"Add metric"'),
    ]


def test_it_accepts_marked_text_names_and_symbols():
    source = (
        "{% load i18n %}\n"
        '{% block title %}{% translate "Flywheels" %} · {{ flywheel.name }}{% endblock %}\n'
        "{# A comment. #}{% comment %}Not shown.{% endcomment %}<!-- Not shown either. -->\n"
        '<a href="{% url \'audits:home\' %}" title="{% translate "Home" %}" class="button">›</a>\n'
        "<p>{% blocktranslate trimmed count counter=rows|length %}\n"
        "  One row, {{ counter }} in all.{% plural %}{{ counter }} rows.\n"
        "{% endblocktranslate %}</p>\n"
        '<input type="hidden" name="value" value="No"><script>const label = "Not checked";</script>\n'
        '{{ audit.workshop_date|date:"j M Y"|default:_("not scheduled") }} — 12 % #{{ row.number }} ×\n'
        '{% include "audits/partials/add_form.html" with kind="metric" section="#metrics" %}\n'
    )
    assert unmarked_text(source) == []


def test_it_reports_the_line_of_text_after_a_marked_block():
    source = '{% load i18n %}<h1>{% translate "Title" %}</h1>\n\n<p>\n  Unmarked here\n</p>\n'
    assert unmarked_text(source) == [Unmarked(4, "Unmarked here")]


# --- The templates -------------------------------------------------------------------------


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(TEMPLATES_DIR)))
def test_every_text_of_the_template_is_marked_for_translation(path):
    found = unmarked_text(path.read_text(encoding="utf-8"))
    name = path.relative_to(TEMPLATES_DIR)
    assert not found, "Unmarked text:\n" + "\n".join(f"templates/{name}:{item.line}: {item.text}" for item in found)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(TEMPLATES_DIR)))
def test_the_template_compiles(path):
    # {% load i18n %} is needed in every template and include that translates, not only in base.html.
    get_template(str(path.relative_to(TEMPLATES_DIR)))
