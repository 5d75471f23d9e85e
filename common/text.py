"""Control characters in text: which ones, where, and how messages name them.

No Django here: the XLSX reader's child process imports it, and starts faster without.
"""

import re

from common.i18n import gettext, gettext_noop

# C0 controls except tab, line feed and carriage return; DEL; the C1 controls.
CONTROL_CHARACTER_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The same and the line breaks: a value read from a file never spans lines.
CONTROL_OR_LINE_BREAK_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_LINE_BREAK = gettext_noop("pindah baris")
_CHARACTER_NAMES = {0x00: "NUL", 0x0A: _LINE_BREAK, 0x0D: _LINE_BREAK, 0x7F: "DEL"}


def first_control_character(text: str, *, line_breaks: bool = True) -> re.Match | None:
    """Where the first control character of `text` is (line breaks count unless allowed)."""
    return (CONTROL_CHARACTER_RE if line_breaks else CONTROL_OR_LINE_BREAK_RE).search(text)


def character_name(character: str) -> str:
    """NUL -> `U+0000 (NUL)`, ESC -> `U+001B`: how messages name a control character."""
    code = ord(character)
    name = _CHARACTER_NAMES.get(code)
    return f"U+{code:04X} ({gettext(name)})" if name else f"U+{code:04X}"


def control_character(text: str, *, line_breaks: bool = True) -> str | None:
    """The first control character in `text`, named as `character_name` does, or None."""
    match = first_control_character(text, line_breaks=line_breaks)
    return character_name(match[0]) if match else None
