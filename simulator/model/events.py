"""The event log: append-only, flat records of what happened, when, and to whom.

Processes only *record*; every metric is computed afterwards from the log (``metrics.py``), so
one log serves the summary, the monthly table, the tests and the training stories alike.
A record is ``(day, kind, subject, account, actor, value, code)`` (see ``Record``), stored flat:
the log is one list of numbers, seven per record, so recording allocates nothing that outlives
the call (a list of tuples keeps the garbage collector busy, which costs more than the tuples).
Every mechanism writes through ``EventLog.record``.
"""

from __future__ import annotations

from array import array
from enum import IntEnum
from typing import NamedTuple

import numpy as np


class Kind(IntEnum):
    """What a record says happened. ``subject`` is the lead / opportunity id unless noted."""

    LEAD = 0  # a lead arrived; value = account segment (0 enterprise, 1 mid-market); code = Source
    LEAD_UNANSWERED = 1  # nobody called it in time; value = wait in hours
    OPENED = 2  # a hunter called the lead: an opportunity opens; value = wait hours; code = Source
    STAGE = 3  # the opportunity entered a stage; code = stage index (parameters.STAGES)
    MEETING = 4  # a meeting with the prospect; value = attendees; code = Meeting
    QUALIFIED = 5  # passed qualification; value = ACV at stake (USD); code = Discovery
    DEMO_STARTED = 6  # a sales engineer started a demo; value = wait for the engineer in days
    PREMATURE_PROPOSAL = 7  # proposal made before the evaluation was done
    CLOSED = 8  # the opportunity ended; value = ACV won (USD) or 0; code = Outcome
    HUNTER_HIRED = 9  # actor = hunter id; value = full capacity
    FEATURE_ANNOUNCED = 10  # subject = feature index; value = promised release day
    RELEASE_SLIPPED = 11  # the internal plan slipped; subject = feature; value = new plan day
    FEATURE_RELEASED = 12  # subject = feature index; value = days late against the promise
    MEETING_WENT_BADLY = 13  # the prospect was losing interest at the first meeting
    PITCHED = 14  # pitched an announced feature; code = feature; value = day promised today
    BETA_OFFERED = 15  # the prospect took an open beta / launch-partner deal; code = feature
    WAITING_STARTED = 16  # the deal now waits for the release; code = feature
    WAITING_ENDED = 17  # the wait is over (released, or given up); code = feature
    NEW_FACES = 18  # committee members replaced while waiting; value = how many
    RETELLING = 19  # the story told again at a follow-up meeting; value = retellings so far
    FATIGUED = 20  # fatigue reached: only the lowest-level contact still attends
    REFERENCE_REQUESTED = 21  # the prospect wants reference metrics for the feature; code = feature
    FEATURE_REFERENCE = 22  # a customer became a reference; subject = feature; account = customer
    COMPETITOR_ENTERED = 23  # subject = entrant; value = ready day; code = segment
    COMPETITOR_READY = 24  # subject = entrant; value = segment; code = claimed feature or -1
    QUOTA_REVIEW = 25  # actor = hunter; value = attainment (trailing bookings / quota)
    PLAN_STARTED = 26  # actor = hunter; value = attainment
    PLAN_ENDED = 27  # actor = hunter back above the threshold; value = attainment
    HUNTER_LEFT = 28  # actor = hunter; value = last attainment (NaN: none); code = ExitReason
    ORPHANED = 29  # the opportunity's hunter left; actor = the hunter who left
    BETA_CONVERTED = 30  # a beta partner pays the full price at the release; value = added ACV
    AWARE_AT_START = 31  # value = accounts aware on day 0
    BECAME_AWARE = 32  # account learned of us
    FORGOT = 33  # account forgot us
    BRAND_ADSTOCK = 34  # at each month's start; value = adstock (USD); code = share of voice %
    MARKETING_SPENT = 35  # at each month's start; value = USD; code = Channel
    GO_LIVE = 36  # subject = customer (its won opportunity's id); value = days since signature
    EXPECTATION_GAP = 37  # promised but not licensed: scaled back, late value, frustration
    VALUE_REALISED = 38  # the customer's value-realisation event; value = days since signature
    REFERENCE_GAINED = 39  # the customer agrees to be a reference; code = sector
    REFERENCE_LOST = 40  # a referencing customer left; code = sector
    EXPANDED = 41  # upsell; value = ACV added (USD)
    RENEWED = 42  # value = health at renewal
    CHURNED = 43  # left at renewal; value = ARR lost (USD); code = ChurnReason
    DETRACTOR = 44  # account speaks against us; code = sector; value = DetractorReason
    SALES_COST = 45  # at each month's start: hunters and sales engineers employed; value = USD
    PROMISE_MOVED = 46  # a promised date passed unreleased; subject = feature; value = new date
    COMMITTEE = 47  # discovery: value = buying-committee size (people); code = members met
    # numbered from 60: kinds added in parallel elsewhere take the numbers after 47
    SERVICE_COST = 60  # at each month's start: farmers employed; value = USD (or, subject = a
    # customer, the services days that closed its expectation gap for free)
    HUNTER_CHECK_IN = 61  # subject = customer; actor = the hunter whose free slot it took
    CONTRACTED = 62  # scaled back at renewal after an expectation gap; value = ARR lost (USD)
    CRITICAL_DATE_AGREED = 63  # subject = customer: a mutual plan back from its critical date
    COME_BACK_WITH_IT = 64  # a poisoned account turns down what ships; code = feature it wants
    NOT_REACHED = 65  # the lead went cold before the call: no meeting; value = hours it waited
    PULLED_IN = 70  # the hunter pulled the decision into the quota period, with a discount;
    # value = days the decision moved earlier (70: kinds added in parallel take 66 on)
    SEATS = 71  # the team's planned headcount changed (day 0, a planned hire, a reduction);
    # subject = value = seats (hunters employed plus vacancies being refilled)
    CUSTOMER_AT_START = 72  # a customer carried over from an export on day 0; value = ARR (USD);
    # code = sector; subject = its id (customers.CARRIED_IDS_FROM + k)
    CLEANED_UP = 73  # the CRM's cleanup closed a deal that went dark (lost); subject = the deal
    STRATEGY_SWITCHED = 74  # the team changed strategy (strategy.switch); subject = the month
    CHOICE_LUCK = 75  # a buyer chose; value = the ACV the deal books if won x (1 if won, else 0,
    # less the chance it had of winning): the luck of the choice, whose mean is 0 whatever the
    # scenario (a control variate for comparisons: metrics/controls.py)
    ROADMAP_LUCK = 76  # day 0: a feature's slips drawn; subject = the feature; value = months
    # they will move its plan, less the months the scenario's slips move it on average (a control
    # variate, likewise)


class Source(IntEnum):
    INBOUND = 0
    DIRECT = 1
    OUTBOUND = 2
    OPEN_AT_START = 3  # open in the CRM export the simulation starts from (start.from_crm)


class Meeting(IntEnum):
    FIRST = 0
    DISCOVERY = 1
    DEMO = 2
    FOLLOW_UP = 3  # while a deal waits on a release


class Discovery(IntEnum):
    """Bit flags of what discovery found (QUALIFIED's code)."""

    SPONSOR = 1
    ECONOMIC_BUYER = 2
    REPLACES_WORKING_PROCESS = 4  # the deal replaces a process that works today: needs a sponsor


class Channel(IntEnum):
    BRAND = 0
    DIRECT = 1


class ExitReason(IntEnum):
    """Why a hunter left (HUNTER_LEFT's code)."""

    PLAN = 0  # still under the threshold at the end of the performance plan
    VOLUNTARY = 1  # left of their own accord (the hazard rises with low attainment)
    REDUCED = 2  # the scenario asked for fewer hunters than the export's owners (not replaced)


class ChurnReason(IntEnum):
    """Why a customer left, as a customer-success team would log it, read off the customer's
    state when it leaves (CHURNED's code): the mechanism behind the churn, no draw of its own."""

    FEATURES = 0  # its implementation hit an expectation gap: promised, not licensed
    SUPPORT = 1  # its health had fallen below detractor_health: neglect, too little attention
    OTHER = 2  # healthy and no gap: budget, price, a competitor, reasons outside the account


class DetractorReason(IntEnum):
    UNANSWERED_LEAD = 0
    EXPECTATION_GAP = 1
    CHURNED_UNHAPPY = 2


class Outcome(IntEnum):
    WON = 0
    LOST_COMPETITOR = 1
    LOST_HOUSEHOLD_BRAND = 2
    LOST_NO_DECISION = 3
    DISQUALIFIED = 4
    STALLED = 5
    NO_CONSENSUS = 6  # the buying group pulled out during evaluation, before a proposal


NO_ONE = -1


class Record(NamedTuple):
    day: float
    kind: int
    subject: int
    account: int
    actor: int
    value: float
    code: int


LOG_DTYPE = np.dtype(
    [
        ("day", "f8"),
        ("kind", "i2"),
        ("subject", "i8"),
        ("account", "i8"),
        ("actor", "i8"),
        ("value", "f8"),
        ("code", "i8"),
    ]
)


def rows(log: np.ndarray, which: np.ndarray) -> np.ndarray:
    """``log[which]`` (a mask or indices), copied a whole record at a time: numpy copies the
    packed records of ``LOG_DTYPE`` field by field, several times slower."""
    whole = np.dtype((np.void, log.dtype.itemsize))
    return log.view(whole)[which].view(log.dtype)


class EventLog:
    """Append-only, flat list of records; ``as_array`` gives a numpy structured view for metrics,
    in the order of simulated time (records of one day in the order written)."""

    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: list[float] = []

    def record(
        self,
        day: float,
        kind: int,
        subject: int,
        account: int = NO_ONE,
        actor: int = NO_ONE,
        value: float = 0.0,
        code: int = 0,
    ) -> None:
        self.values.extend((day, kind, subject, account, actor, value, code))

    def __len__(self) -> int:
        return len(self.values) // len(LOG_DTYPE)

    def as_array(self) -> np.ndarray:
        # Ids, kinds and codes are integers far below 2**53: exact through float64. A C double
        # array converts the list in one C loop, faster than ``np.array``'s item-by-item typing.
        flat = np.frombuffer(array("d", self.values)).reshape(-1, len(LOG_DTYPE))
        log = np.empty(len(flat), dtype=LOG_DTYPE)
        for column, name in enumerate(LOG_DTYPE.names):
            log[name] = flat[:, column]
        day = log["day"]
        if np.any(day[1:] < day[:-1]):  # awareness writes its flips when asked (awareness.py)
            log = log[np.argsort(day, kind="stable")]
        return log
