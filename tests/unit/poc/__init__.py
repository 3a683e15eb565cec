"""Unit tests of the poc decider and policy."""
