"""``python -m ssgm [console | run FILE | check FILE]``: the same as the ``ssgm`` binary."""

import signal
import sys

from ssgm import main

if __name__ == "__main__":
    # As in the binary: Ctrl-C is the console's (it stops the running input), not Python's
    # KeyboardInterrupt raised once the console has returned.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(main(sys.argv[1:]))
