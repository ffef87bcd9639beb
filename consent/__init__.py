"""Consent: purposes, versioned notices and the append-only ledger of consent events."""
