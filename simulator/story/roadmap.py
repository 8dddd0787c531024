"""The roadmap's part of a story: each feature's announcement, slips and release."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.model.events import Kind
from simulator.story.beats import ROADMAP_KINDS
from simulator.story.items import MONTHS_DIGITS, Event
from simulator.story.months import month_of
from simulator.story.tenure import Tenure
from simulator.units import DAYS_PER_MONTH


def roadmap_events(tenure: Tenure) -> list[Event]:
    log = tenure.log
    kind = log["kind"]
    events = []
    for seq in np.flatnonzero(np.isin(kind, list(ROADMAP_KINDS))).tolist():
        record = log[seq]
        day, logged, feature = float(record["day"]), Kind(record["kind"]), int(record["subject"])
        f = tenure.features[feature]
        value = float(record["value"])
        facts: dict[str, Any]
        if logged == Kind.FEATURE_ANNOUNCED:
            promised = month_of(value)
            planned = month_of(f.planned_release_month * DAYS_PER_MONTH)
            text = (
                f"The company announces {f.name}. Prospects are told it ships in month "
                f"{promised}; the internal plan says month {planned}."
            )
            facts = {"feature": f.name, "promised_month": promised, "planned_month": planned}
            story_kind = "announced"
        elif logged == Kind.PROMISE_MOVED:
            old = month_of(tenure.promised_day(feature, seq))
            new = month_of(value)
            plan_slipped = seq > 0 and (
                kind[seq - 1] == Kind.RELEASE_SLIPPED and log["subject"][seq - 1] == feature
            )
            if plan_slipped:
                text = (
                    f"{f.name} slips: month {old} comes and it is not ready. The new plan, "
                    f"told to prospects too, is month {new}."
                )
            else:
                text = (
                    f"{f.name} misses month {old}, the date promised to prospects. "
                    f"They are now told month {new}, the internal plan."
                )
            facts = {
                "feature": f.name,
                "old_plan_month": old,
                "new_plan_month": new,
                "internal_plan_slipped": bool(plan_slipped),
            }
            story_kind = "slip"
        else:
            first = f.promised_release_month * DAYS_PER_MONTH
            late = (day - first) / DAYS_PER_MONTH
            text = f"{f.name} ships, {late:.0f} months later than first promised."
            facts = {"feature": f.name, "months_late": round(late, MONTHS_DIGITS)}
            story_kind = "released"
        events.append(Event(day, story_kind, text, None, None, facts, logged, feature, seq))
    return events
