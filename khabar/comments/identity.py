"""Salted hashes that let the desk recognise a commenter or a network without keeping either."""

import hashlib
import hmac
import ipaddress
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email


def _digest(kind: str, value: str) -> str:
    key = settings.KHABAR_HASH_SALT.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _visible(char: str) -> bool:
    # Format characters (U+200B, U+200E, U+FEFF, bidi controls…) and spaces change nothing in
    # where a message goes, yet would make another person for bans, limits and privacy.
    return unicodedata.category(char) != "Cf" and not char.isspace()


def _fold(email: str) -> str:
    """The one spelling of an address: no invisible characters or spaces, NFC, lower-case
    (the domain by the standard, the local part because every common mailbox ignores case),
    the domain in its ASCII (IDNA) form. An address that cannot be folded is returned as far
    as it got, so that hashing never fails on odd data."""
    email = unicodedata.normalize("NFC", "".join(c for c in email or "" if _visible(c))).lower()
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return email
    return f"{local}@{domain}"


def normalise_email(email: str) -> str:
    """The address as stored and compared; ValueError when it is not an address once folded."""
    folded = _fold(email)
    try:
        validate_email(folded)
    except ValidationError:
        raise ValueError(email) from None
    return folded


def email_hash(email: str) -> str:
    """The salted hash every rule compares (bans, limits, unsubscribes, privacy, trust), of the
    folded address: `user@example.com` and the same with a zero-width space are one person."""
    email = _fold(email)
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


# A confirmed address's proof, kept by the browser that confirmed it: a signed cookie sent only
# to the edition's comments paths (never to story pages, which are the same bytes for everyone
# and cached), HttpOnly so no script reads it. Another browser, or another person who knows the
# address, has no proof and must confirm again from the mailbox.
PROOF_COOKIE = "khabar_commenter"
PROOF_SALT = "khabar.comments.identity"
PROOF_MAX_AGE = 365 * 86400
PROOF_MAX_ADDRESSES = 5  # a shared family browser, at most
CONFIRM_SALT = "khabar.comments.confirm"
CONFIRM_MAX_AGE = 3 * 86400  # how long the link in the confirmation e-mail works


def confirm_token(email_hash: str) -> str:
    from django.core import signing

    return signing.dumps(email_hash, salt=CONFIRM_SALT)


def confirmed_hash(token: str) -> str:
    """The address fingerprint a confirmation link is for; signing.BadSignature (forged) or
    signing.SignatureExpired (too old) otherwise."""
    from django.core import signing

    value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    if not isinstance(value, str) or not value:
        raise signing.BadSignature("not an address fingerprint")
    return value


def proof_path(edition_code: str) -> str:
    return f"/{edition_code}/comments/"


def proven_hashes(request) -> list[str]:
    """The confirmed address fingerprints this browser holds the proof of."""
    raw = request.get_signed_cookie(
        PROOF_COOKIE, default="", salt=PROOF_SALT, max_age=PROOF_MAX_AGE
    )
    hashes = [h for h in raw.split(",") if len(h) == 64]
    return hashes[:PROOF_MAX_ADDRESSES]


def add_proof(request, response, email_hash: str, edition_code: str) -> None:
    """Give this browser the proof that it confirmed `email_hash` (the newest first)."""
    hashes = [email_hash] + [h for h in proven_hashes(request) if h != email_hash]
    response.set_signed_cookie(
        PROOF_COOKIE,
        ",".join(hashes[:PROOF_MAX_ADDRESSES]),
        salt=PROOF_SALT,
        max_age=PROOF_MAX_AGE,
        path=proof_path(edition_code),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
