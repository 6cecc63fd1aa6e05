"""``python -m ssgm [console | run FILE | check FILE]``: the same as the ``ssgm`` binary."""

import sys

from ssgm import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
