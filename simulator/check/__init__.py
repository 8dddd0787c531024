"""``salesim check``: judge a scenario against the published levels (MODEL.md section 5) and the
stylised facts (MODEL.md 4.1).

``levels`` and ``facts`` declare what is checked (a target, a source, how to compute it, and
for a fact the counterfactual arms as ``--set`` overrides of the baseline variant); ``judge``
says when an entry holds; ``runner`` runs the arms with common random numbers and judges them;
``table`` shows the result.
"""
