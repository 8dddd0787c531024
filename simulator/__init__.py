"""salesim: a Monte Carlo, discrete-event simulator of a B2B technology sales pipeline."""

__version__ = "0.1.0"
