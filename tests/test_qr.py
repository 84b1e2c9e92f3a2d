"""The site's QR codes are segno's, byte for byte, made faster (generator/site/qr.py)."""

import pytest
import segno

from generator.site import qr

URLS = [
    "https://xiaoan.example.org/schools/d01-s0001-youeryuan/",
    "https://xiaoan.example.org/schools/d417-s19999-jiuniánzhi/",
    "http://127.0.0.1:8000/schools/cs-ceshi-xiaoxue/",
    "https://例子.中国/学校/城关实验小学/",
    "HTTPS://X.ORG/",  # alphanumeric mode
    "0123456789",  # numeric mode
    "https://x.org/s/",
    "",
    *(f"https://school.example.org/{'a' * n}/" for n in range(0, 400, 9)),  # versions 2 to 16
]


def segno_svg(url: str) -> str:
    code = segno.make_qr(url, error="m", mask=2, boost_error=False)
    return code.svg_inline(scale=4, border=2, title=None, omitsize=False, dark="#000")


@pytest.mark.parametrize("url", URLS)
def test_the_code_is_segnos(url):
    assert qr.make(url).matrix == segno.make_qr(url, error="m", mask=2, boost_error=False).matrix
    assert qr.svg(url) == segno_svg(url)


def test_the_addresses_need_many_versions():
    versions = {segno.make_qr(url, error="m", mask=2, boost_error=False).version for url in URLS}
    assert set(range(1, 17)) <= versions
