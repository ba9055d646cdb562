"""Tests of notifications: outbox, worker, senders, channels API."""
