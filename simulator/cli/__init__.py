"""The ``salesim`` command line: one thin module per command; ``app`` puts them together and
``entry`` runs it without tracebacks for the user."""
