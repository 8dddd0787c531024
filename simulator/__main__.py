"""``python -m simulator`` runs the salesim command line."""

from simulator.cli import app

app(prog_name="salesim")
