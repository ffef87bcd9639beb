"""Who the client is, for per-client limits only: the one function every limit asks
(portal sign-in, the lead capture form, the staff sign-in's lockout records).

Behind a reverse proxy REMOTE_ADDR is the proxy, so every visitor would share one
address and one visitor's requests would lock everyone out. `PROXY_COUNT` says how many
proxies in front of the app each append the address they received from to
`X-Forwarded-For`; the client is then the entry that many places from the right (the
entries further left were written by the client and prove nothing). With the default
of 0 no header is trusted, so a client talking to the app directly cannot forge one.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The client's address as the nearest trusted proxy saw it (REMOTE_ADDR when no
    proxy is trusted or the header is missing, short or malformed)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PROXY_COUNT
    if proxies <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = header.split(",") if header else []
    if len(forwarded) < proxies:
        # Fewer entries than proxies: the request did not come through all of them.
        return remote
    return _valid(forwarded[-proxies]) or remote
