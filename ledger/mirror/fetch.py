"""Fetch: block ranges of logs for the manifest's addresses, with the headers around them.

One `eth_getLogs` per range for every address at once, through the chain's JSON-RPC client
(`ledger.chain.rpc`, which retries transport failures, then raises `NodeFailing`); the range
adapts (`ledger.chain.logs.Span`) — it doubles after a range that came back small and halves
when the node refuses it (a result or range limit, recognised by the node's message), times
out or fails.

With the logs come the headers a reorg check needs: the range's first block (its
parentHash must be the mirror's last hash), every block with logs, and the range's end
(the next range's parent). The end header is read before and after the logs: if it
changed, the chain moved under the query and the range is read again.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Iterator

from ledger.chain.logs import Span
from ledger.chain.rpc import Header, RangeRefused, Rpc, Transient
from ledger.errors import MirrorError


class ChainMoved(Exception):
    """A block the range needs no longer exists, or the chain changed during the read."""


@dataclass
class Range:
    """One fetched block range: its logs (raw JSON-RPC dicts) and the headers around them."""

    start: int
    end: int
    logs: list[dict]
    headers: dict[int, Header]

    @property
    def first(self) -> Header:
        return self.headers[self.start]

    @property
    def last(self) -> Header:
        return self.headers[self.end]


@dataclass
class Fetcher:
    rpc: Rpc
    addresses: list[str]
    span: Span = field(default_factory=Span)

    def fetch(self, start: int, limit: int, rpc: Rpc | None = None) -> Range:
        """Logs and headers of [start, end] for some end <= limit (the span decides)."""
        failures = 0
        while True:
            end = min(limit, start + self.span.size - 1)
            try:
                return self._fetch(start, end, rpc or self.rpc)
            except RangeRefused as exc:
                if self.span.halve(end - start + 1):
                    continue
                # one block refused: perhaps a rate limit worded like a range limit; retry, bounded
                failures += 1
                if failures >= self.rpc.retry.attempts:
                    raise MirrorError(f"the node refuses even a one-block log query at {start}: {exc}") from None
                self.rpc.sleep(self.rpc.retry.delay(failures))
            except Transient as exc:
                failures += 1
                if failures >= self.rpc.retry.attempts:
                    raise MirrorError(f"eth_getLogs {start}..{end}: the node failed {failures} times "
                                      f"in a row (last: {exc})") from None
                self.span.halve(end - start + 1)  # a timeout or an overloaded node: ask for less
                self.rpc.sleep(self.rpc.retry.delay(failures))

    def _fetch(self, start: int, end: int, rpc: Rpc) -> Range:
        before = rpc.header(end)
        if before is None:
            raise ChainMoved(f"block {end} does not exist")
        logs = rpc._once("eth_getLogs", [{"fromBlock": hex(start), "toBlock": hex(end), "address": self.addresses}])
        if not isinstance(logs, list):
            raise Transient("eth_getLogs answered without a list")
        # each distinct (block, hash, removed) once: thousands of logs share a few blocks
        seen = {(log["blockNumber"], log["blockHash"], log.get("removed")) for log in logs}
        numbers = {start, end, *(int(n, 16) for n, _, _ in seen)}
        headers = rpc.headers(sorted(numbers))
        if any(h is None for h in headers.values()) or headers[end].hash != before.hash:
            raise ChainMoved(f"the chain changed while reading {start}..{end}")
        for n, hash_, removed in seen:
            if removed or headers[int(n, 16)].hash != hash_:
                raise ChainMoved(f"the chain changed while reading {start}..{end}")
        self.span.grew(end - start + 1, len(logs))
        return Range(start, end, logs, headers)  # type: ignore[arg-type]

    def ranges(self, start: int, target: int) -> Iterator[Range]:
        while start <= target:
            r = self.fetch(start, target)
            yield r
            start = r.end + 1

    def ranges_ahead(self, start: int, target: int) -> Iterator[Range]:
        """The ranges of `ranges()`, the next one read by a thread of its own (with its own
        HTTP session) while the caller works on the current one: the node prepares an answer,
        and it crosses the socket, while this process decodes and writes. Each request covers
        the blocks the span gives when it is made, and is read whole (in several ranges if
        the node refuses it as too large), so nothing is skipped."""
        rpc = self.rpc.twin()
        stop = False

        def cover(first: int, last: int) -> tuple[list[Range], BaseException | None]:
            out: list[Range] = []
            try:
                while first <= last and not stop:
                    r = self.fetch(first, last, rpc)
                    out.append(r)
                    first = r.end + 1
            except Exception as exc:  # after the ranges read before it
                return out, exc
            return out, None

        with ThreadPoolExecutor(1, thread_name_prefix="mirror-fetch") as pool:
            pending = None
            try:
                while start <= target or pending is not None:
                    if pending is None:
                        end = min(target, start + self.span.size - 1)
                        pending, start = pool.submit(cover, start, end), end + 1
                    done, error = pending.result()
                    pending = None
                    if start <= target and error is None:  # the next request, before this one is used
                        end = min(target, start + self.span.size - 1)
                        pending, start = pool.submit(cover, start, end), end + 1
                    yield from done
                    if error is not None:
                        raise error
            finally:
                stop = True
                if pending is not None:
                    pending.cancel()
