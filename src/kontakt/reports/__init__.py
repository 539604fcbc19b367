"""Reports computed from the event log only."""
