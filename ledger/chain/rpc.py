"""JSON-RPC, one client for all: raw calls and batches with one retry policy.

Raw JSON-RPC (no web3 formatters: they cost ~9x on the mirror's hot path). Transport
failures (dropped connections, HTTP 5xx, timeouts, garbled answers) are retried with
exponential backoff, a bounded number of times in a row, then a `NodeFailing`. An error the
node answers with is never ignored: a call raises it (after retrying it as transient), and a
batch marks it item by item only when asked to (`tolerant`, for reverted `eth_call`s).
`eth_getLogs` refused as too large raises `RangeRefused`, so that callers ask for less
(`ledger.chain.logs`). Answers are read within a size bound (`ledger.chain.http`): a larger
log answer is a range refused, anything else a failure; a node's URL is never in a message.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import time
from dataclasses import dataclass
from typing import Any, Callable

import orjson
import requests
import urllib3
from web3 import HTTPProvider, Web3

from ledger.errors import NodeFailing

from .http import IDENTITY, AnswerTooLarge, read_answer, redact
from .node import BoundedHTTPProvider

# Messages with which nodes refuse a range as too large or too rich (geth, erigon,
# nethermind, besu, reth, infura, alchemy, quicknode...), lowercased.
RANGE_LIMIT_MESSAGES = (
    "query returned more than", "more than 10000 results", "too many results", "block range",
    "range too large", "range is too large", "exceed", "limit", "response size", "too large",
    "log response size", "query timeout", "timed out",
)


class RangeRefused(Exception):
    """The node refuses this block range as too large; a smaller one may pass."""


class Transient(Exception):
    """A failure worth retrying as it is: transport, HTTP 5xx, timeout, garbled answer."""


@dataclass(frozen=True, slots=True)
class Header:
    number: int
    hash: str
    parent_hash: str
    timestamp: int

    @classmethod
    def from_rpc(cls, block: dict) -> "Header":
        return cls(int(block["number"], 16), block["hash"], block["parentHash"], int(block["timestamp"], 16))


@dataclass
class Retry:
    attempts: int = 8          # failures in a row before giving up
    first_delay: float = 0.05  # seconds; doubles each time
    max_delay: float = 2.0

    def delay(self, failures: int) -> float:
        return min(self.max_delay, self.first_delay * (2 ** (failures - 1)))


def raw_web3(w3: Web3, timeout: float | None = None) -> Web3:
    """A Web3 for the hot path: no middleware, and (for HTTP) no retries of its own,
    so the retry policy here is the only one."""
    provider = w3.provider
    if isinstance(provider, HTTPProvider):
        kwargs = dict(provider.get_request_kwargs())
        if timeout is not None:
            kwargs["timeout"] = timeout
        provider = BoundedHTTPProvider(provider.endpoint_uri, request_kwargs=kwargs, exception_retry_configuration=None)
    return Web3(provider, middleware=[])


def _session(url: str) -> requests.Session:
    """A requests session that reads the environment's proxy and CA settings once, at the
    start: requests would otherwise scan every environment variable on each request (half a
    millisecond each, measured here). .netrc files are not read."""
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(url))  # NO_PROXY respected
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    return session


class Rpc:
    """Raw JSON-RPC calls with the retry policy; errors come back as exceptions.

    Over HTTP it posts with its own requests session and parses with orjson (web3's
    provider adds ~15% on large log answers); other providers go through make_request."""

    def __init__(self, w3: Web3, retry: Retry | None = None, sleep: Callable[[float], None] = time.sleep):
        self.provider = w3.provider
        self.retry = retry or Retry()
        self.sleep = sleep
        self._ids = itertools.count(1)
        self._http = None
        if isinstance(self.provider, HTTPProvider):
            self._url = self.provider.endpoint_uri
            self._http = _session(self._url)
            self._kwargs = {"timeout": 30.0, **self.provider.get_request_kwargs()}
            self._kwargs.pop("data", None)
            self._kwargs["headers"] = {**self._kwargs.get("headers", {}), "Content-Type": "application/json",
                                       **IDENTITY}

    def twin(self) -> "Rpc":
        """Another Rpc to the same node, with the same policy and its own HTTP session (a
        requests session is not to be shared between threads)."""
        other = copy.copy(self)
        other._ids = itertools.count(1)
        other.reopen()
        return other

    def reopen(self) -> None:
        """A new HTTP session (in a forked child: the parent's pooled sockets stay the parent's)."""
        if self._http is not None:
            self._http = _session(self._url)

    def _post(self, payload: Any) -> Any:
        """One HTTP round trip; transport trouble and HTTP errors become Transient (413: RangeRefused)."""
        try:
            if self._http is None:
                if isinstance(payload, list):
                    return self.provider.make_batch_request([(p["method"], p["params"]) for p in payload])
                return self.provider.make_request(payload["method"], payload["params"])
            response = self._http.post(self._url, data=json.dumps(payload), stream=True, **self._kwargs)
            try:
                # the whole body in one read (requests' .content iterates over 10 KB chunks,
                # which cost twice the CPU on megabytes of logs), within the bound
                body = read_answer(response)
            except AnswerTooLarge as exc:
                response.close()
                if isinstance(payload, dict) and payload.get("method") == "eth_getLogs":
                    raise RangeRefused(str(exc)) from None
                raise Transient(str(exc)) from None
            except BaseException:
                response.close()  # a broken answer: drop the connection
                raise
            response.raw.release_conn()
            if response.status_code == 413:
                raise RangeRefused("HTTP 413")
            if response.status_code >= 400 and not body.startswith(b"{"):
                raise Transient(f"HTTP {response.status_code}")
            return orjson.loads(body)
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else 0
            if status == 413:
                raise RangeRefused(f"HTTP {status}") from None
            raise Transient(f"HTTP {status}") from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            # urllib3's errors come from reading the body; ValueError (orjson's too): unparsable.
            # Their text may quote the URL, API key and all.
            raise Transient(f"{type(exc).__name__}: {redact(str(exc), getattr(self, '_url', ''))[:120]}") from None

    def _once(self, method: str, params: list) -> Any:
        response = self._post({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params})
        if not isinstance(response, dict):
            raise Transient(f"unexpected answer to {method}")
        if "error" in response:
            error = response["error"] or {}
            message = str(error.get("message", error)) if isinstance(error, dict) else str(error)
            if method == "eth_getLogs" and any(m in message.lower() for m in RANGE_LIMIT_MESSAGES):
                raise RangeRefused(message)
            raise Transient(f"{method}: {message[:200]}")
        return response.get("result")

    def _batch_once(self, calls: list[tuple[str, list]], tolerant: bool = False) -> list[Any]:
        first = next(self._ids)
        for _ in calls[1:]:
            next(self._ids)
        payload = [{"jsonrpc": "2.0", "id": first + i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        responses = self._post(payload)
        if not isinstance(responses, list) or len(responses) != len(calls):
            raise Transient("a batch answer that does not match the request")
        if self._http is None:  # the provider numbered them, and answers in request order
            by_id = dict(enumerate(responses, start=first))
        else:  # a server may answer a batch in any order
            by_id = {r.get("id"): r for r in responses if isinstance(r, dict)}
        results = []
        for i in range(len(calls)):
            r = by_id.get(first + i)
            if tolerant and isinstance(r, dict) and "error" in r:
                results.append(None)  # the call failed (e.g. reverted); the others stand
                continue
            if r is None or "error" in r:
                raise Transient(f"batch item failed: {str(r)[:200]}")
            results.append(r.get("result"))
        return results

    def _retrying(self, what: str, once: Callable[[], Any]) -> Any:
        failures = 0
        while True:
            try:
                return once()
            except Transient as exc:
                failures += 1
                if failures >= self.retry.attempts:
                    raise NodeFailing(f"{what}: the node failed {failures} times in a row (last: {exc})") from None
                self.sleep(self.retry.delay(failures))

    def call(self, method: str, params: list) -> Any:
        return self._retrying(method, lambda: self._once(method, params))

    def batch(self, calls: list[tuple[str, list]], chunk: int = 500, tolerant: bool = False) -> list[Any]:
        """Results in order. With `tolerant`, an item the node answers with an error (a
        reverted eth_call) is None instead of failing the batch."""
        out: list[Any] = []
        for i in range(0, len(calls), chunk):
            part = calls[i:i + chunk]
            out.extend(self._retrying(f"{part[0][0]} (batch)", lambda part=part: self._batch_once(part, tolerant)))
        return out

    # -- reads the mirror needs

    def headers(self, numbers: list[int]) -> dict[int, Header | None]:
        """Headers by number; None for a block the chain does not have (any more)."""
        numbers = sorted(set(numbers))
        blocks = self.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        return {n: Header.from_rpc(b) if b else None for n, b in zip(numbers, blocks)}

    def header(self, block: int | str) -> Header | None:
        found = self.call("eth_getBlockByNumber", [hex(block) if isinstance(block, int) else block, False])
        return Header.from_rpc(found) if found else None
