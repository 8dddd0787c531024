"""The story's quarter lines: for each calendar quarter of the hunter's tenure, the quota pro
rata for the days on the team, the bookings as the quota review counts them, and what else
happened.

Quarter boundaries (multiples of ``QUARTER_DAYS``) and the days of events (sums of month-long
timeouts) carry different float error, so a hunter who leaves at a quarter-end review can leave
a few ulps into the next quarter, and one hired at a review can join a few ulps before a quarter
ends. A slice shorter than the rounding of ``last_month_before`` is such a sliver: its months
would run backwards ("months 31-30") and its quota round to nothing. It is no quarter of the
tenure, and gets no line."""

from __future__ import annotations

import math

import numpy as np

from simulator.model.events import Kind, Outcome
from simulator.story.items import Quarter
from simulator.story.months import (
    JUST_BEFORE_DAYS,
    QUARTER_DAYS,
    ROUNDING,
    last_month_before,
    month_of,
)
from simulator.story.tenure import Tenure
from simulator.story.wording import money, plural
from simulator.units import DAYS_PER_MONTH


def quarters(tenure: Tenure) -> list[Quarter]:
    log, hunter, horizon = tenure.log, tenure.hunter, tenure.horizon_days
    team = tenure.parameters.team
    quota_month = team.quota.usd_per_month
    own = (log["actor"] == hunter) & (np.arange(len(log)) < tenure.left_seq)
    kind, day = log["kind"], log["day"]
    won = own & (kind == Kind.CLOSED) & (log["code"] == Outcome.WON)
    booked = (won & (log["value"] > 0)) | (own & (kind == Kind.BETA_CONVERTED))
    pitched = own & (kind == Kind.PITCHED)
    started = own & (kind == Kind.WAITING_STARTED)
    ended = own & (kind == Kind.WAITING_ENDED)
    tenure_end = tenure.left_day if tenure.left_day is not None else horizon
    hired = tenure.hired_day
    ramp_end = hired + team.ramp_months * DAYS_PER_MONTH if hired > 0 else 0
    lines = []
    for index in range(math.ceil(horizon / QUARTER_DAYS - ROUNDING)):
        q_start = index * QUARTER_DAYS
        q_end = min((index + 1) * QUARTER_DAYS, horizon)
        start, end = max(q_start, hired), min(q_end, tenure_end)
        if end - start < JUST_BEFORE_DAYS:  # none of the quarter, or a sliver of float error
            continue
        inside = (day >= start) & (day < end)
        bookings = float(log["value"][booked & inside].sum())
        quota = quota_month * (end - start) / DAYS_PER_MONTH
        attainment = bookings / quota if quota > 0 else None
        n_won = int(np.count_nonzero(won & inside))
        n_pitched = int(np.count_nonzero(pitched & inside))
        before = day < end
        waiting = int(np.count_nonzero(started & before) - np.count_nonzero(ended & before))
        ramping = start < ramp_end
        first, last = month_of(start), last_month_before(end)
        months = f"month {first}" if first == last else f"months {first}-{last}"
        share = f"{attainment:.0%} of quota" if attainment is not None else "no quota"
        notes = []
        if ramping:
            notes.append("still ramping up")
        left_early = q_end - end >= JUST_BEFORE_DAYS  # not at the quarter's end review
        if tenure.left_day is not None and end == tenure.left_day and left_early:
            notes.append("until leaving")
        note = f", {', '.join(notes)}" if notes else ""
        text = (
            f"Quarter {index + 1} ({months}{note}): {tenure.name} booked {money(bookings)} "
            f"against a quota of {money(quota)}: {share}. Won {plural(n_won, 'deal')}, "
            f"pitched an announced feature {plural(n_pitched, 'time')}; "
            f"{plural(waiting, 'deal')} {'waits' if waiting == 1 else 'wait'} on a release."
        )
        quarter = Quarter(
            index + 1, start, end, quota, bookings, attainment, n_won, n_pitched, waiting,
            ramping, text,
        )  # fmt: skip
        lines.append(quarter)
    return lines
