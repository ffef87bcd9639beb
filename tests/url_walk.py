"""Walking the URLconf in tests: every route of a namespace, with its parameters filled,
so that a test covers pages added after it was written."""

import re
import uuid

from django.urls import URLPattern, URLResolver, get_resolver


def routes(namespace: str) -> list[str]:
    """Every route under a namespace, its parameters as written (`<uuid:ticket_id>`)."""
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == namespace:
            prefix = str(pattern.pattern)
            return [
                prefix + str(child.pattern)
                for child in pattern.url_patterns
                if isinstance(child, URLPattern)
            ]
    raise AssertionError(f"no namespace {namespace}")


def fill(route: str, customer_id) -> str:
    """The route as a path: the customer's id where it names a customer, a random id or
    placeholder elsewhere (an unknown object still answers, and must do so safely)."""

    def value(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        if name == "customer_id":
            return str(customer_id)
        return {"uuid": str(uuid.uuid4()), "int": "1"}.get(converter, "x1")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)
