"""Names people type for others to see: kept to what shows, so that no name can disguise itself.

Bidirectional controls are dropped: a right-to-left override (U+202E) shows the letters after it
reversed, so that a name passes for another, and can flip the text around the name on the page.
So are zero-width and other invisible format characters; whitespace of any kind becomes one space.
"""

import unicodedata

# Format characters that writing needs: Persian (one of our languages) puts the zero-width
# non-joiner inside words, and the zero-width joiner builds emoji and some Indic letters. They
# cannot reorder text.
KEPT_FORMAT_CHARACTERS = {"\u200c", "\u200d"}
# Letters that show as blank space: a name made only of them would look empty.
BLANK_LETTERS = {"\u115f", "\u1160", "\u3164", "\uffa0"}


def clean_display_name(value: str) -> str:
    """Return `value` without control, invisible format and blank characters, its whitespace collapsed.

    Unicode category Cf holds every bidirectional control (U+200E, U+200F, U+061C, U+202A–U+202E,
    U+2066–U+2069), the zero-width space, the word joiner, the byte-order mark, the soft hyphen and
    the invisible tag characters; Cc holds the control characters.
    """
    kept = "".join(
        character
        for character in value
        if character in KEPT_FORMAT_CHARACTERS
        or (unicodedata.category(character) not in ("Cf", "Cc") and character not in BLANK_LETTERS)
        or character.isspace()
    )
    return " ".join(kept.split())
