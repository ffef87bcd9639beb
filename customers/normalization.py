"""Normal forms of identifying values: what is stored, indexed and compared."""


def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_external_id(value: str) -> str:
    return value.strip()


def normalize_phone(value: str) -> str:
    """Phones are stored in E.164 already (validation.clean_phone); searches clean first."""
    return "".join(value.split())
