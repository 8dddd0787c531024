"""``salesim backtest``: would the forecast have been right?

Go back to a day in the export's past (``--as-of``, a month's last day), calibrate on the deals
the CRM held that day, forecast the next months from its open pipeline, and compare with what
the export shows happened: won ACV by calendar month of close (``realised``), inside the
forecast's P10-P90 band or not, and whether the P50 came closer than the naive forecast, the
mean of the three months up to that day (``compare``). ``console`` prints it, ``page`` draws it.
The calibration and the forecast are ``salesim calibrate``'s and ``salesim forecast``'s own.
"""
