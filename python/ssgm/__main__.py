"""``python -m ssgm [console | run FILE | check FILE]``, and the ``ssgm`` command that
``pip install`` puts on the PATH: the same as the Rust ``ssgm`` binary."""

from __future__ import annotations

import signal
import sys
from typing import Optional, Sequence

from ssgm import _core


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the command line with ``argv`` (the process's arguments when None); the exit status."""
    return _core.main(list(sys.argv[1:] if argv is None else argv))


def cli() -> int:
    """The ``ssgm`` command: as in the binary, Ctrl-C is the console's (it stops the running
    input), not Python's KeyboardInterrupt raised once the console has returned."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    return main()


if __name__ == "__main__":
    sys.exit(cli())
