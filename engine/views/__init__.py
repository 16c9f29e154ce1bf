"""Read models: the inbox, the overdue view, the supervision scope and the joint desk. Plain queries cut by
the access rule in SQL; they never write."""
