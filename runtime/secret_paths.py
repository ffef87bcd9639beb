"""Secrets that travel in a URL path never reach a log.

Sign-in links, consent and lead confirmations and unsubscribe links carry their secret
as a path segment, and replaying a logged sign-in link would sign in as that customer.
A route marks such a segment with the `secret` converter (`<secret:token>`); from the
URL patterns this module derives the expressions that find those segments in any text,
and `redact_secret_paths` replaces them with `[redacted]`. Every log line passes through
it: gunicorn's access log (gunicorn.conf.py), runserver's and Django's request loggers
and error reports (runtime.scrub.scrub_text, used by the logging filter and Sentry).
A new route with a secret needs nothing more than the converter.
"""

import re
import threading
from functools import lru_cache

from django.urls import URLPattern, URLResolver, register_converter
from django.urls.converters import StringConverter
from django.urls.resolvers import RoutePattern

REDACTED = "[redacted]"
# A parameter in a route: <name> or <converter:name>.
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
# What a segment may hold inside log text: never a separator, space or quote.
_SEGMENT = r"[^/\s\"'?#<>]+"
_busy = threading.local()


class SecretConverter(StringConverter):
    """A path segment that is a secret (a sign-in link's, a confirmation's, an
    unsubscribe token): matched as `str`, redacted in every log."""


def register() -> None:
    register_converter(SecretConverter, "secret")


def _route_expression(route: str, converters: dict) -> tuple[str, bool]:
    """A route as an expression for log text (secret parameters as named groups
    `secretN`), and whether it holds a secret."""
    parts, position, has_secret = [], 0, False
    for match in _PARAMETER.finditer(route):
        parts.append(re.escape(route[position : match.start()]))
        converter = converters.get(match.group("parameter"))
        if isinstance(converter, SecretConverter):
            parts.append(f"(?P<secret{len(parts)}>{_SEGMENT})")
            has_secret = True
        elif converter is None or converter.regex in ("[^/]+", ".+"):
            parts.append(f"(?:{_SEGMENT})")
        else:
            parts.append(f"(?:{converter.regex})")
        position = match.end()
    parts.append(re.escape(route[position:]))
    return "".join(parts), has_secret


def _walk(patterns, prefix: str, prefix_converters: dict, found: list) -> None:
    for pattern in patterns:
        route_pattern = pattern.pattern
        if not isinstance(route_pattern, RoutePattern):
            continue  # regular-expression routes cannot use the converter
        route = prefix + str(route_pattern)
        converters = {**prefix_converters, **route_pattern.converters}
        if isinstance(pattern, URLResolver):
            _walk(pattern.url_patterns, route, converters, found)
        elif isinstance(pattern, URLPattern):
            expression, has_secret = _route_expression(route, converters)
            if has_secret:
                # A trailing slash may be missing in what a client sent.
                found.append(re.compile("/" + expression.removesuffix("/") + "(?=/|$|[\\s\"'?#])"))


@lru_cache(maxsize=1)
def secret_route_expressions() -> tuple[re.Pattern, ...]:
    """One expression per route with a secret segment, from the project's URLconf."""
    from django.urls import get_resolver

    found: list[re.Pattern] = []
    _walk(get_resolver().url_patterns, "", {}, found)
    return tuple(found)


def _redact(match: re.Match) -> str:
    text, start = match.group(), match.start()
    spans = sorted(match.span(name) for name in match.groupdict() if match.group(name) is not None)
    out, position = [], 0
    for begin, end in spans:
        out.append(text[position : begin - start])
        out.append(REDACTED)
        position = end - start
    out.append(text[position:])
    return "".join(out)


def redact_secret_paths(text: str) -> str:
    """The text with every secret path segment of a known route replaced."""
    if "/" not in text or getattr(_busy, "active", False):
        return text
    from django.apps import apps

    if not apps.ready:
        return text
    _busy.active = True  # loading the URLconf may itself log
    try:
        expressions = secret_route_expressions()
    finally:
        _busy.active = False
    for expression in expressions:
        text = expression.sub(_redact, text)
    return text
