"""Logs over a block range, from any node: one adaptive `eth_getLogs` loop for every reader
that needs a plain list of logs (the audit, the checkpointed log). The mirror reads ranges
with the headers a reorg check needs (`ledger.mirror.fetch`), sizing them with the same
`Span`.

Nodes cap what one query may return (a block range, a result count, a response size, a
time): a refused range is halved and read again, a range that came back small lets the next
one double, so no node's limit makes a reader fail or miss logs.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.errors import NodeFailing

from .rpc import RangeRefused, Rpc


@dataclass
class Span:
    """The adaptive size of a range, in blocks."""

    size: int = 10
    min_size: int = 1
    max_size: int = 100_000
    target_logs: int = 5_000  # keep one transaction around this many events

    def grew(self, blocks: int, logs: int) -> None:
        if logs > 2 * self.target_logs:
            self.size = max(self.min_size, blocks // 2)
        elif logs < self.target_logs // 2 and blocks >= self.size:
            self.size = min(self.max_size, self.size * 2)

    def halve(self, blocks: int) -> bool:
        """Shrink below `blocks`; False if it cannot shrink any further."""
        if blocks <= self.min_size:
            return False
        self.size = max(self.min_size, blocks // 2)
        return True



def get_logs(rpc: Rpc, addresses: list[str], first: int, last: int, span: Span | None = None) -> list[dict]:
    """Every log of `addresses` in blocks first..last (inclusive), as the node returns them
    (raw JSON-RPC dicts), in chain order."""
    span = span or Span(size=10_000)
    out: list[dict] = []
    start, failures = first, 0
    while start <= last:
        end = min(last, start + span.size - 1)
        try:
            logs = rpc.call("eth_getLogs", [{"fromBlock": hex(start), "toBlock": hex(end), "address": addresses}])
        except RangeRefused as exc:
            if span.halve(end - start + 1):
                continue
            failures += 1  # one block refused: perhaps a rate limit worded like a range limit
            if failures >= rpc.retry.attempts:
                raise NodeFailing(f"the node refuses even a one-block log query at {start}: {exc}") from None
            rpc.sleep(rpc.retry.delay(failures))
            continue
        if not isinstance(logs, list):
            raise NodeFailing(f"eth_getLogs {start}..{end} answered without a list")
        out.extend(logs)
        span.grew(end - start + 1, len(logs))
        start, failures = end + 1, 0
    out.sort(key=lambda log: (int(log["blockNumber"], 16), int(log["logIndex"], 16)))
    return out
