"""Entry point for `python -m leaderboard`."""

import sys

from .cli import main

sys.exit(main())
