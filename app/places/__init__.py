"""Places: company, property, zones, checkpoints, units, departments, routing rules."""
