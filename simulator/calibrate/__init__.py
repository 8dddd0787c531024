"""Calibration: fit a scenario to a CRM export by simulated method of moments."""
