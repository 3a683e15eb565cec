"""Proof-of-concept service: hypotheses, results, data sources, risk class (G2)."""
