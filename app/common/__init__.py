"""Shared building blocks: base model, schemas, pagination, time helpers."""
