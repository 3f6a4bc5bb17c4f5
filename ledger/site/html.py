"""HTML that cannot carry what it shows: a tiny builder where every string is text.

Chain data is untrusted input — anyone can create a proposal; members write ballot reasons,
names and URIs — so nothing here ever passes a `str` into HTML unescaped: `h(tag, attrs,
*children)` escapes every child string and every attribute value, and only `Markup` (what
`h` and `esc` return, and the page templates' own constants) goes in as markup. Links are
made by `link`, which emits an `<a href>` only for an http(s) URL and plain text otherwise.
The two rows a big site has by the hundred thousand (a vote on its proposal's page and on its
voter's) are written out as f-strings in `pages`, each value through `esc`: the same markup.

Whitespace is the text's own: the browser's verifier compares cell text with what it decodes
from the leaves, so a child is never padded. Two things the HTML parser itself changes are
undone in `ledger.js` before comparing: CR and CRLF become LF, NUL becomes U+FFFD; and a
`<pre>` gets a newline after its tag, which the parser drops, so that one the text starts
with survives.
"""

from __future__ import annotations

import html
from typing import Iterable
from urllib.parse import urlsplit


class Markup(str):
    """A string that is already HTML."""

    __slots__ = ()


def esc(text: object) -> Markup:
    return Markup(html.escape(str(text), quote=True))


VOID = {"meta", "link", "br", "input", "img", "hr", "col"}


def _children(children: Iterable) -> Iterable[str]:
    for child in children:
        if child is None or child is False:
            continue
        if isinstance(child, Markup):
            yield child
        elif isinstance(child, str):
            yield html.escape(child, quote=False)
        elif isinstance(child, (list, tuple)) or hasattr(child, "__next__"):
            yield from _children(child)
        else:
            yield html.escape(str(child), quote=False)


_NAMES: dict[str, str] = {}


def _name(key: str) -> str:
    name = _NAMES.get(key)
    if name is None:
        name = _NAMES[key] = key.rstrip("_").replace("_", "-")
    return name


def attrs_text(attrs: dict | None) -> str:
    if not attrs:
        return ""
    out = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        if value is True:
            out.append(" " + _name(key))
        elif type(value) is int:  # no escaping needed (most values on a big site are leaf indices)
            out.append(f' {_name(key)}="{value}"')
        else:
            out.append(f' {_name(key)}="{html.escape(str(value), quote=True)}"')
    return "".join(out)


def h(tag: str, attrs: dict | None = None, *children) -> Markup:
    """`<tag attrs>children</tag>`, every string escaped. Attribute names: `class_` for class,
    `data_verify` for data-verify; a None or False value leaves the attribute out."""
    start = f"<{tag}{attrs_text(attrs)}>"
    if tag in VOID:
        return Markup(start)
    return Markup(start + "".join(_children(children)) + f"</{tag}>")


def join(parts: Iterable) -> Markup:
    return Markup("".join(_children(parts)))


def safe_url(url: str) -> bool:
    """Whether `url` may become a link: absolute http(s) with a host, nothing else (no
    javascript:, data:, relative or protocol-relative URLs)."""
    if not isinstance(url, str) or any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and url.lower().startswith(parts.scheme + "://")


def link(url: str, text: str | None = None, attrs: dict | None = None) -> Markup:
    """A link to an outside http(s) URL, or the URL (or `text`) as plain text if it is anything else."""
    shown = url if text is None else text
    if safe_url(url):
        return h("a", {"href": url, "rel": "nofollow noopener noreferrer", "class_": "out", **(attrs or {})}, shown)
    return h("span", {"class_": "unlinked", "title": "not an http(s) link", **(attrs or {})}, shown)
