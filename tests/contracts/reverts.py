"""Pinning *which* rule a reverted call broke: its custom error's 4-byte selector.

brownie 1.22 decodes a custom error into `exc.revert_msg` as `"Name: arg, arg"` (looked up in a
selector table shared by every ABI it has seen), but it drops the raw revert data. So
`assert_reverts_with` first replays the call with a raw `eth_call` (same sender, same state) and
checks the returned data begins with `keccak256("Name(types)")[:4]`, computed here from the
contract's ABI, and optionally that its decoded arguments are the expected ones. Then it makes
the same call through brownie and checks brownie reports the same error name: for a
state-changing function it sends the transaction, which must revert on chain; for a view it
calls it (under `--coverage` brownie runs a view as a traced transaction, so the raw `eth_call`
alone would leave the reverting side of a view's check out of the coverage report).
"""

from brownie import web3
from brownie.exceptions import VirtualMachineError
from brownie.network.contract import ContractTx
from eth_abi import decode


def _canonical_type(item: dict) -> str:
    kind = item["type"]
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in item["components"])
        return f"({inner}){kind[len('tuple'):]}"
    return kind


def error_signature(abi: list, name: str) -> tuple[str, list[str]]:
    """`Name(type,...)` and the argument types of the custom error `name` in `abi`."""
    found = [item for item in abi if item.get("type") == "error" and item["name"] == name]
    assert len(found) == 1, f"{len(found)} custom errors named {name} in the ABI"
    types = [_canonical_type(i) for i in found[0]["inputs"]]
    return f"{name}({','.join(types)})", types


def error_selector(abi: list, name: str) -> bytes:
    signature, _ = error_signature(abi, name)
    return bytes(web3.keccak(text=signature)[:4])


def _split_tx(args: tuple) -> tuple[tuple, dict]:
    if args and isinstance(args[-1], dict):
        return args[:-1], args[-1]
    return args, {}


def _raw_revert_data(fn, args: tuple, tx: dict) -> bytes:
    call = {"to": fn._address, "data": fn.encode_input(*args)}
    if "from" in tx:
        call["from"] = str(tx["from"])
    response = web3.provider.make_request("eth_call", [call, "latest"])
    assert "error" in response, f"{fn._name} did not revert: returned {response.get('result')}"
    data = response["error"].get("data")
    assert data, f"{fn._name} reverted without data: {response['error']}"
    return bytes.fromhex(data[2:] if data.startswith("0x") else data)


def _normalise(value):
    if isinstance(value, bytes):
        return "0x" + bytes(value).hex()
    if isinstance(value, str) and value.startswith("0x"):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return tuple(_normalise(v) for v in value)
    return value


def assert_reverts_with(error_name: str, fn, *args, error_args: tuple | None = None):
    """Assert `fn(*args)` reverts with the custom error `error_name` (and, if given, arguments
    `error_args`). A trailing dict in `args` is the transaction (`{"from": account}`)."""
    call_args, tx = _split_tx(args)
    signature, types = error_signature(_contract_abi(fn), error_name)
    expected = bytes(web3.keccak(text=signature)[:4])

    data = _raw_revert_data(fn, call_args, tx)
    assert data[:4] == expected, (
        f"{fn._name} reverted with selector 0x{data[:4].hex()}, expected {signature} = 0x{expected.hex()}"
    )
    decoded = decode(types, data[4:])
    if error_args is not None:
        assert _normalise(tuple(decoded)) == _normalise(tuple(error_args)), (
            f"{signature} arguments {decoded} != expected {error_args}"
        )

    try:
        fn(*call_args, tx)
    except VirtualMachineError as exc:
        assert exc.revert_msg and exc.revert_msg.split(":")[0] == error_name, exc.revert_msg
    else:
        where = "on chain" if isinstance(fn, ContractTx) else "when called through brownie"
        raise AssertionError(f"{fn._name} did not revert {where}")
    return decoded


def _contract_abi(fn) -> list:
    from brownie.network.state import _find_contract

    return _find_contract(fn._address).abi
