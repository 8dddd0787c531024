"""``salesim forecast``: bookings by month over the next months, as a CRM forecast gives them,
with the spread of outcomes behind the single number.

The scenario's chosen variant is simulated for the forecast's months (not its horizon) many
times (``draws``); each month's bookings, the bookings to date and the total over the months are
summarised as P10 / P50 / P90 with the Monte Carlo error of each (``statistics``), the mean
split into deals open at the start and new pipeline, and, given a target, the share of
simulated futures that reach it (``summary``). Months carry calendar names from the scenario's
start date (``calendar``). ``console`` prints it, ``page`` draws it.
"""

from simulator.forecast.draws import Draws, simulate_draws
from simulator.forecast.summary import Context, Forecast, build_forecast

__all__ = ["Context", "Draws", "Forecast", "build_forecast", "simulate_draws"]
