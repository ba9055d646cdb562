"""Notifications: an outbox written with the change, delivered by a worker (webhook, WeCom, SMTP)."""
