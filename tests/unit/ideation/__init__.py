"""Unit tests of the ideation decider and policy."""
