"""``python -m genlab``: the lab's engine without a browser.

Each room of ``genlab.rooms`` with a ``cli`` module registers its subcommands: ``train-lm`` and
``next`` (text), ``gan``, ``embed``.
"""

import argparse
import sys

from genlab import rooms
from genlab.errors import UserError


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m genlab", description=__doc__.splitlines()[0])
    subparsers = root.add_subparsers(dest="command", required=True)
    for module in rooms.cli_modules():
        module.register(subparsers)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
