"""What every other part stands on: the database engine and sessions, the clock, the hot-path statements, and
the audit and alert rows. Depends only on `engine.models`."""
