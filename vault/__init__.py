"""The vault: per-customer data keys, field encryption, blind indexes, the personal-data
registry. It is the only app that touches `cryptography`; it imports no other app."""
