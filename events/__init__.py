"""The shared contract of Tollgate: events, commands, envelope and subject names.

Nothing in this package does I/O or imports anything of ours outside it.
"""
