"""What each stored column is: its unit, label and description as Parquet field metadata, so a
notebook reading a run's files knows what a column holds (the metrics from the registry, the
control variates from ``metrics.controls``)."""

from __future__ import annotations

import pyarrow as pa

from simulator.metrics import catalog, controls


def described(schema: pa.Schema) -> pa.Schema:
    """The schema with each metric column's unit, label and description from the registry as
    field metadata, so a notebook reading the Parquet file knows what a column is."""
    columns = []
    for column in schema:
        metric = catalog.SUMMARY.get(column.name) or catalog.MONTHLY.get(column.name)
        if metric is not None:
            about = {"unit": metric.unit, "label": metric.label, "description": metric.description}
        else:
            about = controls.described(column.name)
        if about is not None:
            column = column.with_metadata({**(column.metadata or {}), **about})
        columns.append(column)
    return pa.schema(columns, metadata=schema.metadata)
