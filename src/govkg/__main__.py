"""Run the command line as ``python -m govkg``."""

from govkg.cli import main

main()
