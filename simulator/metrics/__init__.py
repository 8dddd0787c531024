"""From a replication's event log to its numbers: the summary row and monthly table, the
metric registry, revenue, deals, economics."""
