"""``python -m flpcheck`` runs the command line."""

from .cli.main import main

main()
