"""Audit: the append-only record of who did what to which object, and why. Holds ids and
pseudonyms only, never personal data. Depends on nothing but Django."""
