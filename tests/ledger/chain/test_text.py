"""Chain strings: decoded without ever failing, shown without ever steering the terminal."""

import pytest

from ledger.chain.text import decode_text, printable


def test_invalid_utf8_is_replaced_and_said():
    assert decode_text(b"ok") == ("ok", False)
    assert decode_text("café".encode()) == ("café", False)
    assert decode_text(b"\xff\xfe title") == ("\ufffd\ufffd title", True)


@pytest.mark.parametrize("raw, shown", [
    ("\x1b[2J\x1b[31mpwned", "\\x1b[2J\\x1b[31mpwned"),
    ("bell\x07 and DEL\x7f and C1\x9b", "bell\\x07 and DEL\\x7f and C1\\x9b"),
    ("abc\u202edcba", "abc\\u202edcba"),
    ("two\nlines\tand a tab", "two\\x0alines\\x09and a tab"),
    ("plain text, accents é and 中文", "plain text, accents é and 中文"),
])
def test_control_characters_are_shown_escaped(raw, shown):
    assert printable(raw) == shown


def test_a_block_keeps_its_line_breaks_but_not_its_escapes():
    assert printable("# Title\n\n\x1b]0;evil\x07text", inline=False) == "# Title\n\n\\x1b]0;evil\\x07text"
