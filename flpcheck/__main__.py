"""``python -m flpcheck`` runs the command line."""

from .cli import main

main()
