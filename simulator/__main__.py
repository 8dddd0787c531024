"""``python -m simulator`` runs the salesim command line."""

from simulator.cli.entry import main

main()
