"""How much history a calibration simulates before its window: as much as the export shows, in
months of the window's new opportunities. crm-maven's CRM started up slowly (7 new deals in its
first month, about 800 a month half a year on), so its calendar history before the window
overstates the deals, customers and losses behind it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from simulator.calibrate.calibration import Settings, warmup_for
from simulator.calibrate.moments import trailing_window
from simulator.crm.load import load_export
from simulator.units import DAYS_PER_MONTH

MAVEN = Path(__file__).resolve().parent / "data" / "crm-maven" / "sales_pipeline.csv"


def test_the_history_is_the_exports_in_months_of_its_window() -> None:
    deals = load_export(MAVEN, as_of=date(2017, 8, 31)).deals
    window = trailing_window(deals.as_of, 6)
    before = np.count_nonzero(deals.created < window.first)
    monthly = np.count_nonzero(deals.created >= window.first) / window.months
    calendar = (window.first - deals.created.min()).astype(np.int64) / DAYS_PER_MONTH
    months = warmup_for(deals, window, Settings())
    assert before == 1185 and round(monthly) == 854  # read off the export, independently
    assert months == 2  # 1,185 / 854 = 1.4 months, where the calendar gives 4.3
    assert calendar > 4


def test_an_export_of_the_window_alone_takes_the_setting() -> None:
    deals = load_export(MAVEN, as_of=date(2017, 8, 31)).deals
    window = trailing_window(deals.as_of, 6)
    inside = deals.take(np.flatnonzero(deals.created >= window.first))
    assert warmup_for(inside, window, Settings(warmup_months=5)) == 5
