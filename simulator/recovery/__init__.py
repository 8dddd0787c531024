"""Stopping a strategy part-way: the arms (never, kept, stopped at a month) and how long the
stopped arm takes to recover (``salesim recovery``, ``salesim replay --branch-at``)."""
