"""The model: ``build`` wires the mechanisms of ``processes/`` over the entities, the event
log and the random streams; a replication's starting point comes in as data."""
