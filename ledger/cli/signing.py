"""Unlocking a key for a command: by keystore (password prompt or env) or an anvil dev account."""

import click


def key_options(fn):
    fn = click.option("--dev-account", type=int, metavar="N",
                      help="Use anvil's well-known dev account N (local chains only).")(fn)
    fn = click.option("--key", "key_name", metavar="NAME|ADDRESS|FILE",
                      help="Keystore to sign with (a label or address in WORKDIR/keys, or a file); its password "
                           "from WAICO_PASSWORD or WAICO_PASSWORD_FILE, else asked on the terminal. A transaction "
                           "bids at most WAICO_MAX_FEE_GWEI per gas [default: 100].")(fn)
    return fn


def unlock_signer(ctx, key_name: str | None, dev_account: int | None):
    """A Signer for the chosen key. Password from WAICO_PASSWORD(_FILE) or a prompt."""
    from ledger.chain.anvil import dev_private_key
    from ledger.chain.transactions import Signer
    from ledger.errors import ConfigError

    # the deployment's chain id, never the node's word at signing time (none yet: deploying)
    deployed = ctx.config.deployment.exists()
    decoder, chain_id = (ctx.manifest.error_decoder(), ctx.manifest.chain_id) if deployed else (None, None)
    if dev_account is not None:
        key = dev_private_key(dev_account)
    elif not key_name:
        raise ConfigError("say which key signs: --key NAME (see `waico account list`) or --dev-account N")
    else:
        key = open_key(ctx, key_name)[1]
    return Signer(ctx.w3, key, decoder, chain_id=chain_id, max_fee=ctx.config.max_fee)


def open_key(ctx, key_name: str):
    """The keystore `key_name` names (a label, address or file) and its private key."""
    from ledger.app import keys

    key = keys.find_key(ctx.config.keys_dir, key_name)
    return key, keys.unlock(key, ask_password(f"{key.label} ({key.address})"))


def ask_password(what: str, confirm: bool = False) -> str:
    """The password for `what`: WAICO_PASSWORD or WAICO_PASSWORD_FILE, else a prompt on the
    terminal; with no terminal to prompt on, a ConfigError naming both variables."""
    from ledger.app.keys import password_or_terminal

    password = password_or_terminal(what)
    if password is not None:
        return password
    return click.prompt(f"Password for {what}", hide_input=True, confirmation_prompt=confirm, err=True)
