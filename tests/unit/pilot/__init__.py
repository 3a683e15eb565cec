"""Unit tests of the pilot decider and policy."""
