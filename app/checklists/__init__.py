"""Checklist templates, versions and items (检查表)."""
