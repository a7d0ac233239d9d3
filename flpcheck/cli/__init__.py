"""The command line (one module per command; :mod:`flpcheck.cli.main` holds the group)."""

from .main import main

__all__ = ["main"]
