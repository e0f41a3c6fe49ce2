"""Rate limits that hold when comments arrive at the same moment on several app processes.

`rules.check_rates` counts a network's or an address's recent comments. Counted before the
comment is written, simultaneous posts all see the same count and all get in; so `do_submit`
counts again inside its transaction, after `hold_rate_keys` has made every other submission
with the same network or address wait until this one is committed or rolled back. Nothing is
stored for it, so nothing has to be pruned:

- SQLite: the project opens every transaction IMMEDIATE (settings.DATABASES), so a writing
  transaction holds the database's write lock from its first statement; one submission at a
  time is already counting and writing.
- PostgreSQL: a transaction-level advisory lock per (kind, fingerprint), released at commit.
  Two comments from different networks and addresses do not wait for each other.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

# The first half of PostgreSQL's two-part advisory lock key: rate limits' own key space.
RATE_LOCK_SPACE = 0x6B726174  # "krat"
KINDS = {"network": 0, "email": 1}


def _lock_key(kind: str, value: str) -> int:
    # A signed 32-bit number from the salted hash (hex); two fingerprints that share one only
    # wait for each other, nothing more.
    return int.from_bytes(bytes.fromhex(value[:8]), "big", signed=True) ^ KINDS[kind]


def hold_rate_keys(keys: list[tuple[str, str]]) -> None:
    """Inside a transaction: wait until no other transaction counts or writes a comment with
    these (kind, fingerprint) keys, and keep them until this one ends."""
    if not connection.in_atomic_block:
        raise RuntimeError("hold_rate_keys needs a transaction")
    if connection.vendor == "postgresql":
        # Always in the same order, so that two submissions cannot each hold what the other
        # waits for.
        numbers = sorted({_lock_key(kind, value) for kind, value in keys if value})
        with connection.cursor() as cursor:
            for number in numbers:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RATE_LOCK_SPACE, number])
    elif connection.vendor == "sqlite":
        if getattr(connection, "transaction_mode", None) != "IMMEDIATE":
            raise ImproperlyConfigured(
                "SQLite must open transactions IMMEDIATE for rate limits to hold"
            )
    else:
        raise ImproperlyConfigured(f"no rate-limit lock for {connection.vendor}")
