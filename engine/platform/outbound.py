"""Where reminders may be sent: checks on a user's e-mail address and webhook URL (issue 12 item 7).

A webhook is a request the server makes to an address a user typed, so it must not become a way into the
server's own network (SSRF): only http(s), no user:password in the URL, and every address the host name resolves
to must be public — loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, the cloud
metadata address included), multicast, reserved and unspecified addresses are refused. A deployment may allow
loopback and private targets (a county's own messenger gateway on its intranet: INSPECTFLOW_WEBHOOK_ALLOW_PRIVATE);
link-local, multicast and unspecified addresses stay refused even then.
The check runs when the URL is saved and again right before each request (a name may resolve elsewhere by then),
and the request does not follow redirects (engine.background.notify_delivery).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import urlsplit

MAX_URL_CHARS = 500
MAX_EMAIL_CHARS = 254
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


class Unsafe(ValueError):
    """The target is refused; `reason` is a stable code the pages word."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_email(address: str) -> str:
    address = address.strip()
    if len(address) > MAX_EMAIL_CHARS or not _EMAIL.match(address):
        raise Unsafe("email_invalid")
    return address


def _allowed(address: str, allow_private: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_multicast or ip.is_unspecified or ip.is_link_local:
        return False  # never: the cloud metadata address lives in link-local space
    return ip.is_global or allow_private


def check_webhook_url(url: str, *, allow_private: bool) -> str:
    """The URL, stripped, or Unsafe: "url_invalid", "url_scheme", "url_unresolved" or "url_private"."""
    url = url.strip()
    if len(url) > MAX_URL_CHARS or any(ch.isspace() for ch in url):
        raise Unsafe("url_invalid")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Unsafe("url_invalid") from None
    if parts.scheme not in ("http", "https"):
        raise Unsafe("url_scheme")
    if not parts.hostname or parts.username is not None or parts.password is not None:
        raise Unsafe("url_invalid")
    try:
        found = socket.getaddrinfo(parts.hostname, port or (443 if parts.scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise Unsafe("url_unresolved") from None
    if not all(_allowed(str(info[4][0]), allow_private) for info in found):
        raise Unsafe("url_private")
    return url
