class UnknownSubject(Exception):
    """No customer with this id is held (never was, or already erased)."""
