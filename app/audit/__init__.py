"""Audit trail of set-up changes (操作日志): who changed what, when, old and new value."""
