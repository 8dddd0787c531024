"""A leader's own pipeline: read a CRM opportunity export into one table, and write one.

The flow runs one way: ``reader`` (bytes -> a table of strings), ``formats`` (which column is
which field, per tool), ``dates`` and ``stages`` (the values tools write), ``rows`` (the bad-row
checks that make the normalised ``table.Deals``), ``simulated`` (salesim's own deals table into
the same shape), ``load`` (all of it behind one call), ``survival`` (Kaplan–Meier), ``summary``
(the statistics), ``show`` (the console), and ``salesforce`` (simulated deals written back out
as a Salesforce report, so that a calibration reads simulated and real deals the same way).
"""
