"""Masked forms of sensitive values, for staff screens that must not reveal them."""

MASK = "***"


def mask_email(value: str | None) -> str:
    if not value:
        return ""
    local, _, domain = value.partition("@")
    return f"{local[:1]}{MASK}@{domain}" if domain else f"{value[:1]}{MASK}"


def mask_text(value: str | None) -> str:
    if not value:
        return ""
    return f"{value[:1]}{MASK}"


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return f"{MASK}{value[-2:]}"
