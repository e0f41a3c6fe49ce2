import gzip

import brotli
import pytest

from khabar.lib.compression import choose_encoding, compress, is_compressible


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, ""),
        ("", ""),
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0.5, gzip", "gzip"),
        ("br;q=0, gzip;q=0", ""),
        ("identity", ""),
        ("*", "br"),
        ("*;q=0.2, br;q=0", "gzip"),
        ("GZIP", "gzip"),
        ("br;q=oops, gzip", "gzip"),
    ],
)
def test_choose_encoding_follows_the_q_values(header, expected):
    assert choose_encoding(header) == expected


def test_both_codings_give_back_the_bytes_and_are_stable():
    page = ("<p>خبر عاجل من بغداد</p>" * 200).encode()
    assert brotli.decompress(compress(page, "br")) == page
    assert gzip.decompress(compress(page, "gzip")) == page
    assert compress(page, "gzip") == compress(page, "gzip")  # no timestamp inside
    assert len(compress(page, "br")) < len(page) / 10
    assert compress(page, "") is page
    with pytest.raises(ValueError):
        compress(page, "zstd")


def test_only_text_types_are_compressed():
    assert is_compressible("text/html; charset=utf-8")
    assert is_compressible("application/rss+xml")
    assert not is_compressible("image/png")
    assert not is_compressible("")
