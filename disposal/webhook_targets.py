"""Where processor webhooks may go: a public address over HTTPS, checked when a
processor is saved and again, on the resolved address, every time something is sent.

A webhook URL is typed by staff, and what is posted there holds personal data (post
lists with names and addresses, erasure notices). Pointed at `http://127.0.0.1:6379/`
or `http://169.254.169.254/` it would reach the Redis broker or the cloud metadata
service from inside the network (server-side request forgery). So:

- outside DEBUG only `https://` (WEBHOOK_REQUIRE_HTTPS);
- loopback, private, link-local (cloud metadata), shared, reserved and multicast
  addresses are refused, both written in the URL and as the name resolves when sending,
  unless they lie in WEBHOOK_ALLOWED_NETWORKS (a processor on the operator's own
  network);
- the check at send time is made on the socket's peer after connecting and before a
  byte is sent, so a name that resolves to a public address for the check and to a
  private one for the connection (DNS rebinding) is refused too.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Names that always mean this machine, whatever a resolver says.
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


# The resolver the check asks (the connection asks the system's again, and its peer is
# checked too: see _refuse_peer).
_resolve = socket.getaddrinfo


class UnsafeWebhookTarget(requests.RequestException):
    """The webhook's address is not one a processor may have (named by type in the
    delivery's last error, never with the address)."""


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(net, strict=False) for net in settings.WEBHOOK_ALLOWED_NETWORKS]


def is_refused_address(address: IPAddress) -> bool:
    """True for any address that is not on the public internet (loopback, private,
    link-local, shared, reserved, multicast, unspecified), unless allow-listed."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in _allowed_networks()):
        return False
    return not address.is_global or address.is_multicast


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def webhook_url_errors(url: str) -> list[str]:
    """What is wrong with a webhook URL as staff typed it (empty: acceptable)."""
    parts = urlsplit(url or "")
    require_https = settings.WEBHOOK_REQUIRE_HTTPS
    if parts.scheme != "https" and (require_https or parts.scheme != "http"):
        return [_("A webhook address must start with https://.")]
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return [_("Give the webhook address with its host name.")]
    address = _literal(host)
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        address = ipaddress.ip_address("127.0.0.1")
    if address is not None and is_refused_address(address):
        return [
            _(
                "A webhook may not go to a loopback, private, link-local or metadata "
                "address; an operator allows a processor on a private network in "
                "WEBHOOK_ALLOWED_NETWORKS."
            )
        ]
    return []


def check_resolved(url: str) -> None:
    """Refuse the URL (UnsafeWebhookTarget) if its scheme is not allowed or any address
    its host resolves to is refused. A name that does not resolve fails as the
    connection would."""
    if webhook_url_errors(url):
        raise UnsafeWebhookTarget("refused webhook address")
    parts = urlsplit(url)
    try:
        infos = _resolve(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise requests.ConnectionError("webhook host did not resolve") from error
    for info in infos:
        if is_refused_address(ipaddress.ip_address(info[4][0].split("%")[0])):
            raise UnsafeWebhookTarget("refused webhook address")


def _refuse_peer(sock) -> None:
    peer = ipaddress.ip_address(sock.getpeername()[0].split("%")[0])
    if is_refused_address(peer):
        sock.close()
        raise UnsafeWebhookTarget("refused webhook address")


class _CheckedHTTPConnection(HTTPConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        _refuse_peer(sock)
        return sock


class _CheckedHTTPSConnection(HTTPSConnection):
    def _new_conn(self):
        sock = super()._new_conn()
        _refuse_peer(sock)
        return sock


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPPool,
            "https": _CheckedHTTPSPool,
        }


def post_webhook(url: str, *, data: bytes, headers: dict) -> requests.Response:
    """POST to a processor's webhook once its address passed the checks; never follows
    a redirect and never goes through an environment proxy (the peer is checked)."""
    check_resolved(url)
    with requests.Session() as session:
        session.trust_env = False
        adapter = _CheckedAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session.post(
            url,
            data=data,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
