"""Personal values never leave the process: the scrubber that logs and error reports
pass through.

Code here logs ids, never values (STYLE.md); this is the safety net for the day someone
forgets, or a library logs what it was given. It replaces anything shaped like an email
address or a phone number, and drops fields whose name says they hold one. Secret
path segments of links (runtime.secret_paths) go too.
"""

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Nine to fifteen digits, optionally with a leading + and single separators between
# them, not glued to letters or dashes (so UUIDs, ISO dates and times stay readable).
PHONE = re.compile(r"(?<![\w-])\+?\d(?:[ ().-]?\d){8,14}(?![\w-])")
PERSONAL_FIELDS = frozenset(
    {
        "address",
        "body",
        "email",
        "first_name",
        "full_name",
        "last_name",
        "name",
        "note",
        "password",
        "phone",
        "postal_address",
    }
)
REDACTED = "[redacted]"
# A storefront's own customer id in an API path (`/api/v1/customers/ext:shop-123/`).
EXTERNAL_REF = re.compile(r"ext(?::|%3A)[^/\s?#\"']+", re.IGNORECASE)


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _phone(match: re.Match) -> str:
    return match.group() if _DATE.match(match.group()) else REDACTED


def scrub_text(text: str) -> str:
    # Secret path segments (sign-in links, confirmations, unsubscribe tokens), found by
    # the routes that declare them (runtime.secret_paths).
    from runtime.secret_paths import redact_secret_paths

    text = redact_secret_paths(text)
    text = EXTERNAL_REF.sub(f"ext:{REDACTED}", text)
    return PHONE.sub(_phone, EMAIL.sub(REDACTED, text))


def scrub(value):
    """Scrub strings inside any JSON-like value; fields named like personal data go."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            key: REDACTED if str(key).lower() in PERSONAL_FIELDS else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return type(value)(scrub(item) for item in value)
    return value
