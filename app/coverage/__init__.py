"""Coverage (巡查覆盖率) and ticket SLA figures, and their exports: read-only queries."""
