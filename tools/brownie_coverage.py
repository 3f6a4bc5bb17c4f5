"""`brownie` for coverage runs: the same CLI, with what keeps `brownie test
--coverage` from measuring our contracts here put right at run time (nothing
installed is edited):

1. eth-brownie 1.22.2 ships mypyc-compiled modules that crash while merging
   coverage; its pure-Python sources sit beside them, so every `brownie.*`
   module is imported from its `.py` file instead.
2. Coverage needs anvil's step traces: anvil is launched with `--steps-tracing`.
3. Brownie checks a new contract's code against the artifact and, on a
   mismatch, drops its coverage map. Solidity `immutable` values (EIP712's
   domain, the fund's token, ...) are written into the deployed code over
   zero placeholders, so every contract with one failed the check. Here a byte
   may differ only where the artifact has a zero (an immutable slot).
   A linked library's address stands where the artifact has its placeholder
   (`__MemberBallots___...`, 40 characters): it is taken as matching.
4. The coverage printout looks up every covered contract's source path and
   crashes on one compiled from node_modules (TimelockController): such a
   contract gets no path (so the `reports: exclude_paths` filter keeps it out
   of nothing but its own lookup).
5. anvil answers `eth_sendTransaction` before the receipt is readable, and the
   sender's nonce can move on in between (often with `--steps-tracing` and a
   heavy transaction). Brownie reads the nonce first, then the receipt, and on
   "nonce moved, no receipt" gives the transaction up as dropped ("Tx dropped
   without known replacement"), failing the test. Here brownie first waits for
   the receipt while the node still knows the transaction; a transaction the
   node does not know is left to brownie's own check.

    tools/env python tools/brownie_coverage.py test --coverage --network anvil [ARGS]

When ARGS name no test file or directory, `test` runs the example-based tests listed in
tools/example-tests (those `make gas` profiles), not the whole of tests/.
"""

import importlib.machinery
import sys
import time
from pathlib import Path

EXAMPLE_TESTS = Path(__file__).resolve().parent / "example-tests"


class _BrownieFromSource(importlib.machinery.PathFinder):
    """Finds `brownie` and its submodules as .py sources, never as extension modules."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname != "brownie" and not fullname.startswith("brownie."):
            return None
        loader = (importlib.machinery.SourceFileLoader, importlib.machinery.SOURCE_SUFFIXES)
        for entry in path if path is not None else sys.path:
            spec = importlib.machinery.FileFinder(entry or ".", loader).find_spec(fullname, target)
            if spec is not None:
                return spec
        return None


def _code_matches(actual: str, expected: str) -> bool:
    """Same length, and every differing byte is a zero in the artifact (an immutable's slot)."""
    if len(actual) != len(expected):
        return False
    for i in range(0, len(expected), 2):
        if actual[i:i + 2] != expected[i:i + 2] and expected[i:i + 2] != "00":
            return False
    return True


def _patch() -> None:
    from brownie.network import contract
    from brownie.network.rpc import anvil
    from brownie.project import sources

    original_verify = contract._verify_deployed_code

    def verify_deployed_code(address, expected_bytecode, language):
        if original_verify(address, expected_bytecode, language):
            return True
        if language != "Solidity":
            return False
        actual = contract.web3.eth.get_code(address).hex().removeprefix("0x")
        expected = expected_bytecode.removeprefix("0x")
        at = expected.find("__")  # hex has no underscores: only library placeholders do
        while at != -1:
            actual = actual[:at] + expected[at:at + 40] + actual[at + 40:]
            at = expected.find("__", at + 40)
        strip = lambda code: code[: -(int(code[-4:], 16) + 2) * 2] if len(code) >= 4 else code  # CBOR metadata
        return _code_matches(strip(actual), strip(expected))

    contract._verify_deployed_code = verify_deployed_code

    original_launch = anvil.launch

    def launch(cmd, **kwargs):
        kwargs["steps_tracing"] = True
        return original_launch(cmd, **kwargs)

    anvil.launch = launch

    original_source_path = sources.Sources.get_source_path

    def get_source_path(self, contract_name, *args, **kwargs):
        try:
            return original_source_path(self, contract_name, *args, **kwargs)
        except KeyError:
            return None

    sources.Sources.get_source_path = get_source_path

    from brownie.network import transaction
    from web3.exceptions import TransactionNotFound

    original_await = transaction.TransactionReceipt._await_confirmation

    def await_confirmation(self, block_number=None, required_confs=1):
        eth = transaction.web3.eth
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                eth.get_transaction_receipt(self.txid)
                break
            except TransactionNotFound:
                try:
                    eth.get_transaction(self.txid)
                except TransactionNotFound:
                    break  # unknown to the node: brownie decides (dropped or replaced)
                time.sleep(0.05)
        return original_await(self, block_number, required_confs)

    transaction.TransactionReceipt._await_confirmation = await_confirmation


def example_tests() -> list[str]:
    """The test files listed in tools/example-tests (blank lines and # comments skipped)."""
    lines = (line.strip() for line in EXAMPLE_TESTS.read_text().splitlines())
    tests = [line for line in lines if line and not line.startswith("#")]
    if not tests:
        raise SystemExit(f"no tests listed in {EXAMPLE_TESTS}")
    return tests


def with_default_tests(args: list[str]) -> list[str]:
    """`test ARGS` with the example tests added when no argument names a test path."""
    if not args or args[0] != "test":
        return args
    if any(Path(arg.split("::")[0]).exists() for arg in args[1:] if not arg.startswith("-")):
        return args
    return [args[0], *example_tests(), *args[1:]]


def main() -> None:
    sys.dont_write_bytecode = True  # leave the shared venv's __pycache__ alone
    sys.meta_path.insert(0, _BrownieFromSource)
    _patch()
    from brownie._cli.__main__ import main as brownie_main

    sys.argv = ["brownie", *with_default_tests(sys.argv[1:])]
    brownie_main()


if __name__ == "__main__":
    main()
