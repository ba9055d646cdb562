"""Rectification tickets (整改工单): routing, numbering, SLA clocks, events."""
