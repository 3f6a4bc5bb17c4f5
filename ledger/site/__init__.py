"""The transparency portal: a static site from the mirror that verifies itself in the browser.

`build` (the pages, data files and CSV, cut at the signed checkpoint), reading the mirror
only through `data`; `model` derives members, weights, tallies, states and the fund;
`pages` renders them with `html` (where every string is text) and `charts` (inline SVG);
`proofs` packs each page's leaves and inclusion proofs; `serve` previews a built site.
`static/` holds what the browser runs: `tlog.js` (the log's formats, as `ledger.tlog`),
`ledger.js` (the model again, from leaves), `page.js` (the verification and the page).
"""

from .build import BuiltSite, Token, build, read_checkpoint, read_data_file

__all__ = ["BuiltSite", "Token", "build", "read_checkpoint", "read_data_file"]
