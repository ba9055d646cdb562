"""Inspections (巡查记录): one scan-and-submit at one checkpoint, append-only."""
