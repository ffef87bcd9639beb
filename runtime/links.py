"""Public links printed in mail: every address a customer, a lead or a partner follows
from a message (portal, confirmations, unsubscribe, capture forms) is built here from
one setting, `PUBLIC_URL`, never from the request that happened to send the mail (a
worker has none, and a request's Host header is the client's to choose)."""

from django.conf import settings
from django.urls import reverse


def public_url(path: str = "/") -> str:
    """The absolute public address of a path of this site."""
    return settings.PUBLIC_URL.rstrip("/") + "/" + path.lstrip("/")


def public_reverse(viewname: str, *args) -> str:
    """public_url(reverse(viewname, args=args))."""
    return public_url(reverse(viewname, args=args))


def public_host() -> str:
    """The host name of PUBLIC_URL (for Message-ID headers)."""
    return settings.PUBLIC_URL.split("://")[-1].split("/")[0].split(":")[0] or "localhost"
