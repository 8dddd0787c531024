"""Replay mode: one replication of two or three variants played side by side, month by month,
for a training room.

The same replication of each variant (common random numbers: the same market, leads and
people) is turned into one state per month (``frames``: the team seat by seat, the open
pipeline, bookings and ARR), captioned with the key beats of the story (``captions``, from
``simulator.story``'s events) and written as one offline page with one plotly animation frame per
month (``figure``, ``page``). By default the replication is a typical one (``select``).
"""
