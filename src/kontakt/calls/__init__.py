"""Phone calls as events: the voicebot's part of a call, and the lifecycle the KPI report counts."""
