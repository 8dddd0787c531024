"""Story mode: one hunter's replication told as a dated timeline a trainer can read aloud.

Everything in a story comes from the event log of one replication: the roadmap's announcements,
slips and releases; the one deal of the hunter's that shows the death spiral best, followed from
its first meeting to its end; the hunter's quota reviews, the plan and the exit; and, for every
quarter of the hunter's tenure, a line with its quota, bookings and attainment. By default the
replication and hunter are chosen to show as many beats of the spiral as possible; every story
says how it was chosen and how typical its pattern is in each variant over the same
replications. One ``Story`` is the source of the text, the web page and the JSON.
"""

from simulator.story.tell import tell

__all__ = ["tell"]
