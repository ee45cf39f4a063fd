"""How an audit's language shows in its files: the language tag, the text direction and the fonts.

An audit's exports are in its own language, whoever downloads them (exports/__init__.py runs
every writer under `translation.override`); this module says what that means for the file
itself, once for the deck and the workbook alike.

Fonts — named so that PowerPoint, Excel and LibreOffice all draw the letters:

- English keeps the template's theme font (Calibri; LibreOffice draws it with Carlito).
- Vietnamese: Arial. Its stacked diacritics (ạ ằ ẫ ệ ở ữ) are in Arial on Windows and macOS, and
  LibreOffice draws Arial with Liberation Sans, metric-compatible and with full Vietnamese.
- Persian: Tahoma for the Arabic script, which Office calls the complex script (`a:cs` on a
  slide's text runs). Tahoma carries Arabic and the Persian letters (پ چ ژ گ ی) on Windows and
  macOS, is a sans like the rest of the deck, and where it is missing (LibreOffice on Linux)
  fontconfig substitutes DejaVu Sans, which has Arabic too. Latin words within Persian text
  (names, numbers) use Arial, as Vietnamese. A workbook cell has one font only, so a Persian
  workbook uses Tahoma for everything: it has Latin letters as well.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Script:
    tag: str  # the text's language tag in the file (BCP 47)
    right_to_left: bool = False
    latin_font: str = ""  # "" keeps the template's font
    complex_font: str = ""  # Arabic script; "" when the language does not use it

    @property
    def sheet_font(self) -> str:
        """The one font of a workbook cell: the one with the language's own letters."""
        return self.complex_font or self.latin_font


SCRIPTS = {
    "en": Script("en-US"),
    "vi": Script("vi-VN", latin_font="Arial"),
    "fa": Script("fa-IR", right_to_left=True, latin_font="Arial", complex_font="Tahoma"),
}


def script_of(language: str) -> Script:
    return SCRIPTS.get(language, SCRIPTS["en"])
