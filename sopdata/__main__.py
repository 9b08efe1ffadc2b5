import sys

from sopdata.cli import main

if __name__ == "__main__":  # the reader's worker process imports this module again
    sys.exit(main())
