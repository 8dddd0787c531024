"""Deciding, not only comparing: what an option costs and when it pays back, one input swept
across values, which inputs matter most (global sensitivity), and the least input that meets a
target or the best split of a budget.

Every search here runs on common random numbers: replication ``i`` of every setting tried uses
the same random streams (the runner's seeding makes a replication a pure function of the
scenario, the root seed and ``i``), so two settings differ by the setting, not by their luck.
The searches and statistics are pure functions of an ``evaluate`` callable (``goal``, ``split``,
``sensitivity``, ``sweep``), so they are tested on toy functions with known answers; ``engine``
supplies the simulation behind ``evaluate``, ``folder`` keeps the results, ``page`` and
``console`` show them.
"""
