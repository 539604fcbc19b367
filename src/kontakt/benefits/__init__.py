"""Benefit payment dates: the schedule imported from the benefits centre's CSV export, the
lookup behind the phone self-service, and the staff commands (issue #7, item 5)."""
