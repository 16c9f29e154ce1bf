"""Read models: the inbox, the overdue view, the supervision scope and the joint desk; an instance's page and
diagram; the process owner's lists; names for stored codes; the landing figures; what the database already holds.
Plain queries cut by the access rule in SQL; they never write. The pages, API and CLI read through these (no SQL
in web/, tests/web/test_thin_web.py)."""
