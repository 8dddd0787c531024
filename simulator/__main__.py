"""``python -m simulator`` runs the salesim command line."""

from simulator.entry import main

main()
