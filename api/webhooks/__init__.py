"""Webhooks: subscriptions, the delivery queue and the worker that POSTs it."""
