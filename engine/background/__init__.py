"""Work nobody clicks for: the deadline sweep, the scheduler that runs the periodic duties, background jobs."""
