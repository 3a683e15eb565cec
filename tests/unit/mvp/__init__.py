"""Unit tests of the mvp decider and policy."""
