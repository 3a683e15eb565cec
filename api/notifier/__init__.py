"""Notifications: the notifier service (tollgate service notifier)."""
