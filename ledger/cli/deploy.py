"""`waico deploy`."""

import click

from . import command, main, progress
from .signing import key_options, unlock_signer


@command(main, "deploy", deployment=False)
@key_options
@click.option("--verifier", "verifiers", multiple=True, metavar="ADDRESS",
              help="Grant the standards verifier role to ADDRESS (repeatable).")
def deploy(ctx, key_name, dev_account, verifiers):
    """Deploy and wire every contract, and write the deployment manifest.

    \b
    Example (a local anvil on port 8545):
      waico deploy --rpc http://127.0.0.1:8545 --dev-account 0
    """
    from web3 import Web3

    from ledger.app.config import URL_NOT_REMEMBERED, write_settings
    from ledger.errors import ConfigError
    from ledger.org.deploy import Parameters
    from ledger.org.deploy import deploy as run_deploy

    for v in verifiers:
        if not Web3.is_address(v):
            raise ConfigError(f"--verifier {v!r} is not an address (0x and 40 hex digits; mixed case must be a valid "
                              "checksum)")
    verifiers = tuple(Web3.to_checksum_address(v) for v in verifiers)
    signer = unlock_signer(ctx, key_name, dev_account)
    progress(f"deploying from {signer.address} on chain {signer.chain_id}")
    manifest = run_deploy(ctx.w3, signer, Parameters(verifiers=tuple(verifiers)))
    manifest.save(ctx.config.deployment)
    if write_settings(ctx.config.workdir, rpc_url=ctx.config.rpc_url):
        progress(URL_NOT_REMEMBERED)
    ctx.emit(
        {"deployment": str(ctx.config.deployment), "chainId": manifest.chain_id,
         "contracts": {n: c.address for n, c in manifest.contracts.items()}},
        "\n".join([f"{n:<20} {c.address}  (block {c.block})" for n, c in manifest.contracts.items()]
                  + [f"manifest written to {ctx.config.deployment}"]),
    )
