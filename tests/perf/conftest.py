"""Benchmarks print figures; they assert nothing about time."""
