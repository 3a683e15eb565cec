"""The composition root: the command line and everything that starts processes."""
