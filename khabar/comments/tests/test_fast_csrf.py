"""The CSRF token the fast challenge hands out (khabar/comments/fast.py) is Django's, drawn from
one read of the system's randomness rather than one per character."""

import os
from collections import Counter

from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    _unmask_cipher_token,
)

from khabar.comments import fast


def test_the_masked_token_unmasks_to_the_readers_secret_with_a_fresh_mask_each_time():
    secret = fast._random_string(CSRF_SECRET_LENGTH)
    tokens = {fast._masked(secret) for _ in range(20)}
    assert len(tokens) == 20
    for token in tokens:
        assert len(token) == CSRF_TOKEN_LENGTH and set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == secret


def test_a_token_is_drawn_from_one_read_of_the_systems_randomness(monkeypatch):
    reads, real = [], os.urandom

    def urandom(n):
        reads.append(n)
        return real(n)

    monkeypatch.setattr(fast.os, "urandom", urandom)
    fast._masked(fast._random_string(CSRF_SECRET_LENGTH))
    # One each for the secret and the mask, unless a read had too many rejected bytes.
    assert 2 <= len(reads) <= 4


def test_every_character_is_as_likely_as_any_other():
    drawn = Counter(fast._random_string(62_000))
    assert set(drawn) == set(CSRF_ALLOWED_CHARS)
    # 1,000 expected each (standard deviation ~31); bytes mapped without rejection would give
    # eight characters ~1,200.
    assert all(850 < n < 1150 for n in drawn.values()), drawn.most_common(3)
