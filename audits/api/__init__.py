"""The read-only JSON API: personal tokens and the shapes it answers with."""
