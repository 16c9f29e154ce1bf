"""inspectflow's engine: domain, workflow runtime, calendar, deadlines. Never imports Flask or web/."""
