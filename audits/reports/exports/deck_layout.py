"""Estimating how much room text takes on a slide, and splitting tables across slides.

python-pptx cannot measure text (only a renderer can), and PowerPoint and LibreOffice grow a
table's rows to fit their text when they draw it, so a long table silently runs off the slide.
These pure functions estimate instead, on the safe side: a greedy word wrap with an average
character width, then rows are packed onto slides until the room is used up.
Lengths are in points throughout (72 to the inch, 12,700 EMU to the point).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

EMU_PER_POINT = 12700
# Average advance of a character in ems. Calibri's (and Carlito's) mixed text is nearer 0.45;
# rounding up keeps the estimate on the side of too much room.
CHAR_WIDTH = 0.5
WIDE_CHAR_WIDTH = 1.0  # CJK, emoji: a full em
LINE_HEIGHT = 1.22  # single line spacing in ems: Calibri's ascent + descent + line gap, as PowerPoint uses

# Cell and text-box insets the writer sets explicitly, so that the estimate knows them.
CELL_MARGIN_X = 6.0  # left and right, each
CELL_MARGIN_Y = 3.0  # top and bottom, each

_WORDS = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Line:
    text: str  # exactly a slice of the paragraph, trailing spaces included
    ends_paragraph: bool


def points(emu: int) -> float:
    return emu / EMU_PER_POINT


@lru_cache(maxsize=8192)
def char_width(character: str) -> float:
    return WIDE_CHAR_WIDTH if unicodedata.east_asian_width(character) in "WF" else CHAR_WIDTH


def text_width(text: str, size: float) -> float:
    if text.isascii():  # most text: every character the same estimate, no lookup
        return len(text) * CHAR_WIDTH * size
    return sum(map(char_width, text)) * size


def wrap(text: str, width: float, size: float) -> list[Line]:
    """Return the lines `text` takes at `size` in a box `width` wide, wrapped at spaces as PowerPoint does.

    Joining the lines' text, with a newline after each paragraph but the last, gives `text` back.
    """
    lines: list[Line] = []
    for paragraph in text.split("\n"):
        wrapped = _wrap_paragraph(paragraph, max(width, size), size)
        lines += [Line(line, index == len(wrapped) - 1) for index, line in enumerate(wrapped)]
    return lines


def _wrap_paragraph(paragraph: str, width: float, size: float) -> list[str]:
    lines, current, used = [], "", 0.0
    for token in _WORDS.findall(paragraph):
        word = token.rstrip()
        word_width = text_width(word, size)
        if current and used + word_width > width:
            lines.append(current)
            current, used = "", 0.0
        if word_width > width:  # a word longer than the line breaks anywhere
            for character in word:
                if current and used + char_width(character) * size > width:
                    lines.append(current)
                    current, used = "", 0.0
                current += character
                used += char_width(character) * size
            current += token[len(word) :]
            used += text_width(token[len(word) :], size)
        else:
            current += token
            used += text_width(token, size)
    return [*lines, current]


def line_count(text: str, width: float, size: float) -> int:
    if "\n" not in text and text_width(text, size) <= max(width, size):  # most cells: one line, no wrapping
        return 1
    return len(wrap(text, width, size))


def text_height(text: str, width: float, size: float) -> float:
    return line_count(text, width, size) * size * LINE_HEIGHT


def cell_height(text: str, column_width: float, size: float) -> float:
    """Return the height of a table cell holding `text`, its top and bottom insets included."""
    return text_height(text, column_width - 2 * CELL_MARGIN_X, size) + 2 * CELL_MARGIN_Y


def row_height(cells: tuple[str, ...] | list[str], widths: list[float], size: float) -> float:
    """A row is as tall as its tallest cell."""
    return max(cell_height(text, width, size) for text, width in zip(cells, widths, strict=True))


def split_row(cells: tuple[str, ...], widths: list[float], size: float, room: float) -> list[tuple[str, ...]]:
    """Split a row too tall for `room` into consecutive pieces that each fit, cutting every cell by lines.

    The pieces of a cell, joined, are its text (less whitespace at the cuts).
    """
    lines_per_piece = max(1, int((room - 2 * CELL_MARGIN_Y) // (size * LINE_HEIGHT)))
    wrapped = [wrap(text, width - 2 * CELL_MARGIN_X, size) for text, width in zip(cells, widths, strict=True)]
    pieces_needed = max(-(-len(lines) // lines_per_piece) for lines in wrapped)
    pieces = []
    for piece in range(pieces_needed):
        start, stop = piece * lines_per_piece, (piece + 1) * lines_per_piece
        pieces.append(tuple(_joined(lines[start:stop]) for lines in wrapped))
    return pieces


def _joined(lines: list[Line]) -> str:
    text = "".join(line.text + ("\n" if line.ends_paragraph else "") for line in lines)
    return text.rstrip()


def paginate(heights: list[float], room: float, header: float) -> list[list[int]]:
    """Return the row indexes of each slide: rows in order, as many as fit under the repeated header.

    A row taller than the room still gets a slide of its own; split it first with `split_row`.
    """
    pages: list[list[int]] = []
    current: list[int] = []
    used = header
    for index, height in enumerate(heights):
        if current and used + height > room:
            pages.append(current)
            current, used = [], header
        current.append(index)
        used += height
    if current:
        pages.append(current)
    return pages


def fitting_size(text: str, width: float, height: float, largest: float, smallest: float, step: float = 2) -> float:
    """Return the largest font size from `largest` down to `smallest` at which `text` fits the box."""
    size = largest
    while size > smallest and text_height(text, width, size) > height:
        size -= step
    return max(size, smallest)


def shorten(text: str, width: float, height: float, size: float) -> str:
    """Return `text`, cut at a word with "…" if needed, so that it fits the box."""
    room = max(1, int(height // (size * LINE_HEIGHT)))
    lines = wrap(text, width, size)
    if len(lines) <= room:
        return text
    kept = _joined(lines[:room])
    while kept and text_height(kept + "…", width, size) > room * size * LINE_HEIGHT:
        kept = kept[: kept.rstrip().rfind(" ")] if " " in kept.strip() else kept[:-1]
    return kept.rstrip() + "…"
