"""Salted hashes that let the desk recognise a commenter or a network without keeping either."""

import hashlib
import hmac
import ipaddress

from django.conf import settings


def _digest(kind: str, value: str) -> str:
    key = settings.KHABAR_HASH_SALT.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def email_hash(email: str) -> str:
    email = (email or "").strip().lower()
    return _digest("email", email) if email else ""


def network_of(address: str) -> str:
    """The /24 of an IPv4 address or the /64 of an IPv6 one: a household or an office, which is
    what a rate limit or a ban should hold, since single addresses change too easily."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def network_hash(address: str) -> str:
    network = network_of(address)
    return _digest("network", network) if network else ""


def client_address(request) -> str:
    """The reader's address: REMOTE_ADDR, or the first X-Forwarded-For hop when a trusted proxy
    count is configured (KHABAR_TRUSTED_PROXIES)."""
    proxies = settings.KHABAR_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")
