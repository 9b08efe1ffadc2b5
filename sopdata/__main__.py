import sys

from sopdata.cli import main

sys.exit(main())
