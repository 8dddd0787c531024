"""Scenario files: finding, reading, overriding and validating them into the variants a
run simulates, and reading the CRM start they name."""
