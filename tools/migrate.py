#!/usr/bin/env python3
"""Thin entry point of the rewriter, the same as the `compatkeras-migrate` console script."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from compatkeras.migrate.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
