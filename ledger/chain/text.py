"""Text from the chain is untrusted: anyone can propose, and members write names and reasons.

Two rules, one place for each:

- `decode_text`: bytes a contract calls a string are decoded as UTF-8 with U+FFFD for what
  is not UTF-8, never an exception (one bad description must not stop a command or the
  mirror), and the caller is told that characters were replaced, to say so.
- `printable`: before a terminal shows it, every control character (C0 and C1, DEL, and
  the Unicode bidirectional overrides that reorder what a reader sees) is shown escaped as
  `\\x1b` / `\\u202e`, so an ANSI escape sequence in a description cannot rewrite an
  observer's terminal. Line breaks and tabs stay where text is shown as a block.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
# In decoded event arguments (the mirror's and the audit's): the names of those whose text
# was replaced. No Solidity name can start with `@`, so it never meets an argument's name.
NOT_UTF8 = "@notUtf8"

# C0 controls but tab and newline, DEL, C1 controls; bidi embeddings, overrides and isolates;
# the line and paragraph separators
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_UNSAFE_INLINE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def decode_text(raw: bytes) -> tuple[str, bool]:
    """The text of a chain string, and whether invalid UTF-8 was replaced by U+FFFD."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), True


def _escape(match: re.Match) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, inline: bool = True) -> str:
    """`text` safe to print on a terminal: control characters escaped. `inline` (a table cell,
    a one-line message) escapes line breaks and tabs too; otherwise they stay."""
    return (_UNSAFE_INLINE if inline else _UNSAFE).sub(_escape, text)
