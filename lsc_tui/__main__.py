import sys

from lsc_tui.cli import main

sys.exit(main())
