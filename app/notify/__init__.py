"""Notifications: an outbox written with each change, sent by a worker (webhook, WeCom, mail)."""
