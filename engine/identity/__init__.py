"""Who someone is and what they may do: accounts, API tokens, login throttles and the access rule
(`access`) that pages, API, CLI and the engine's commands share."""
