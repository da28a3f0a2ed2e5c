"""A pasted Postmart/Voso product URL is read as a browser reads it (WHATWG URL: backslashes,
userinfo, percent-encoding, IDNA), and only https URLs on the marketplace's own domain pass."""
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.connectors.base import ConnectorError
from marketplace.connectors.postmart import PostmartConnector
from marketplace.connectors.voso import VosoConnector

postmart = PostmartConnector()


@pytest.mark.parametrize("url", [
    "https://evil.example\\@postmart.vn/",           # a browser goes to evil.example
    "https://evil.example\\\\@postmart.vn/",
    "https://evil.example%5C@postmart.vn/",          # userinfo, percent-encoded
    "https://evil.example%2F@postmart.vn/",
    "https://user:pass@postmart.vn/san-pham/1",      # credentials have no place in a product link
    "https://postmart.vn@evil.example/",
    "https://postmart.vn%2F.evil.example/",
    "https://postmart.vn%2e.evil.example/",
    "https://postmart.vn.evil.example/x",
    "https://evilpostmart.vn/x",
    "https://postmart.vn。evil.example/",             # ideographic full stop is a dot to a browser
    "https:\\\\evil.example\\postmart.vn",
    "http://postmart.vn/san-pham/1",                 # https only
    "ftp://postmart.vn/x",
    "javascript://postmart.vn/%0aalert(1)",
    "//postmart.vn/x",
    "postmart.vn/x",
    "https://postmart.vn:8443/x",                    # not the shop's own port
    "https://voso.vn/x",
    "https://[::1]/x",
    "https://127.0.0.1/x",
    "",
    "https://",
])
def test_tricky_urls_are_refused(url):
    with pytest.raises(ConnectorError) as error:
        postmart.validate_product_url(url)
    assert error.value.code == "invalid_url"


@pytest.mark.parametrize("url, stored", [
    ("https://postmart.vn/mat-ong-p123.html", "https://postmart.vn/mat-ong-p123.html"),
    ("  https://postmart.vn/mat-ong-p123.html\n", "https://postmart.vn/mat-ong-p123.html"),
    ("HTTPS://WWW.PostMart.VN/San-Pham/1?ref=zalo", "https://www.postmart.vn/San-Pham/1?ref=zalo"),
    ("https://postmart.vn/ch%C3%A8 shan tuy%E1%BA%BFt", "https://postmart.vn/ch%C3%A8%20shan%20tuy%E1%BA%BFt"),
    ("https://postmart.vn:443/x", "https://postmart.vn/x"),
    # a browser reads the backslash as a slash: the host is postmart.vn, stored the way it reads it
    ("https://postmart.vn\\@evil.example/", "https://postmart.vn/@evil.example/"),
])
def test_real_product_urls_pass_normalised(url, stored):
    assert postmart.validate_product_url(url) == stored


def test_voso_takes_its_own_domain_and_subdomains():
    assert VosoConnector().validate_product_url("https://www.voso.vn/san-pham/123") == "https://www.voso.vn/san-pham/123"
    with pytest.raises(ConnectorError):
        VosoConnector().validate_product_url("https://postmart.vn/x")


_text = st.lists(st.sampled_from(list("ab.:/\\@%2e5cF?#[]-_ \t。") + ["postmart.vn", "evil.example"]),
                 max_size=12).map("".join)


@settings(max_examples=400, deadline=None)
@given(prefix=st.sampled_from(["https://", "https:\\\\", "https:/", "https:", "HTTPS://", "http://", "//", ""]),
       middle=_text, suffix=_text)
def test_any_accepted_url_is_https_on_the_domain_for_every_reader(prefix, middle, suffix):
    # whatever is pasted, what passes is stored so that Python's parser and a browser agree on it
    try:
        stored = postmart.validate_product_url(prefix + middle + suffix)
    except ConnectorError:
        return
    parts = urlsplit(stored)
    assert parts.scheme == "https" and not parts.username and not parts.password and parts.port is None
    assert parts.hostname == "postmart.vn" or parts.hostname.endswith(".postmart.vn")
    assert "\\" not in parts.netloc and "@" not in parts.netloc
