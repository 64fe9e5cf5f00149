"""``python -m genlab``: the lab's engine without a browser.

Each room registers its subcommands: ``train-lm`` and ``next`` (text), ``gan``, ``embed``.
"""

import argparse
import sys

from genlab.embed import cli as embed_cli
from genlab.errors import UserError
from genlab.gan import cli as gan_cli
from genlab.text import cli_next, cli_train

ROOMS = (cli_train, cli_next, gan_cli, embed_cli)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m genlab", description=__doc__.splitlines()[0])
    subparsers = root.add_subparsers(dest="command", required=True)
    for room in ROOMS:
        room.register(subparsers)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
