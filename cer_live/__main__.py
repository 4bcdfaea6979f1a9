"""`python -m cer_live` is the `cer-live` command."""

import sys

from .cli import main

sys.exit(main())
