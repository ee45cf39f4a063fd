"""Who may see and do what: organizations' permissions, guests, sign-ups, log-in throttling, sessions, preferences."""
