"""Shifts, patrol plans, expected visit slots, matching and hand-over notes (巡查计划)."""
