"""Which hosts and URLs the fetcher refuses: every spelling of a private address, and no more."""

from ipaddress import IPv4Address, IPv6Address

import pytest

from bot.core.netsafety import (
    address_problem,
    check_url,
    is_public_address,
    parse_ip_literal,
    refusal_for_address,
)


@pytest.mark.parametrize(
    "host, expected",
    [
        ("127.0.0.1", IPv4Address("127.0.0.1")),
        ("2130706433", IPv4Address("127.0.0.1")),
        ("0x7f000001", IPv4Address("127.0.0.1")),
        ("0X7F000001", IPv4Address("127.0.0.1")),
        ("0177.0.0.1", IPv4Address("127.0.0.1")),
        ("017700000001", IPv4Address("127.0.0.1")),
        ("127.1", IPv4Address("127.0.0.1")),
        ("127.0.1", IPv4Address("127.0.0.1")),
        ("0x7f.1", IPv4Address("127.0.0.1")),
        ("0x7f.0.0.0x1", IPv4Address("127.0.0.1")),
        ("0xa9.0376.43518", IPv4Address("169.254.169.254")),
        ("127.0.0.1.", IPv4Address("127.0.0.1")),
        ("0", IPv4Address("0.0.0.0")),
        ("\uff11\uff12\uff17.\uff10.\uff10.\uff11", IPv4Address("127.0.0.1")),  # full-width digits
        ("127\u30020\u30020\u30021", IPv4Address("127.0.0.1")),  # ideographic full stops
        ("[::1]", IPv6Address("::1")),
        ("::1", IPv6Address("::1")),
        ("[::ffff:127.0.0.1]", IPv6Address("::ffff:127.0.0.1")),
        ("[fe80::1%25eth0]", IPv6Address("fe80::1")),
        ("8.8.8.8", IPv4Address("8.8.8.8")),
    ],
)
def test_parse_ip_literal_reads_every_spelling(host, expected):
    parsed = parse_ip_literal(host)
    assert parsed is not None
    assert int(parsed) == int(expected)


@pytest.mark.parametrize(
    "host",
    ["example.com", "localhost", "256.0.0.1", "1.2.3.4.5", "0189.0.0.1", "0xfg.0.0.1", "[::g]", "", "1..1"],
)
def test_parse_ip_literal_rejects_names_and_malformed_numbers(host):
    assert parse_ip_literal(host) is None


@pytest.mark.parametrize(
    "address, words",
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.255", "carrier-grade NAT"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("255.255.255.255", "broadcast"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.1", "documentation"),
        ("198.51.100.7", "documentation"),
        ("203.0.113.9", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "IPv4-mapped"),
        ("::ffff:8.8.8.8", "IPv4-mapped"),
        ("::127.0.0.1", "IPv4-compatible"),
        ("fd00::1", "unique-local"),
        ("fc00::1", "unique-local"),
        ("fe80::1", "link-local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "documentation"),
        ("64:ff9b::a9fe:a9fe", "169.254.169.254"),
        ("64:ff9b::7f00:1", "loopback"),
        ("64:ff9b:1::1", "local-use NAT64"),
        ("2002:7f00:1::", "127.0.0.1"),
        ("2002:c0a8:101::1", "192.168.1.1"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "127.0.0.1"),  # Teredo, client obfuscated
        ("4000::1", "reserved"),
    ],
)
def test_non_public_addresses_are_refused_with_a_reason(address, words):
    ip = parse_ip_literal(address)
    assert ip is not None
    assert not is_public_address(ip)
    assert words in address_problem(ip)


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "100.63.255.255",  # just below CGNAT
        "100.128.0.0",  # just above CGNAT
        "172.15.255.255",
        "172.32.0.0",
        "169.253.0.1",
        "2606:4700:4700::1111",
        "2a00:1450:4001:82a::200e",
        "64:ff9b::808:808",  # NAT64 of 8.8.8.8
        "2002:808:808::1",  # 6to4 of 8.8.8.8
    ],
)
def test_public_addresses_are_allowed(address):
    ip = parse_ip_literal(address)
    assert ip is not None and is_public_address(ip)


@pytest.mark.parametrize(
    "url, words",
    [
        ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://2130706433/", "means 127.0.0.1"),
        ("http://0x7f000001/", "means 127.0.0.1"),
        ("http://0177.0.0.1/", "means 127.0.0.1"),
        ("http://127.1/", "means 127.0.0.1"),
        ("http://[::1]:8080/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "IPv4-mapped"),
        ("http://evil@127.0.0.1/", "loopback"),
        ("http://user:pw@10.0.0.1/feed", "private"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[64:ff9b::a9fe:a9fe]/", "169.254.169.254"),
        ("http://localhost:8000/", "loopback name"),
        ("http://api.localhost/", "loopback name"),
        ("http://LOCALHOST./", "loopback name"),
        ("http://0189.0.0.1/", "not a valid IP address"),
        ("http://1.2.3.4.5/", "not a valid IP address"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://example.com/", "only http and https"),
        ("ftp://example.com/feed.xml", "only http and https"),
        ("/etc/passwd", "only http and https"),
        ("http:///feed", "no host"),
        ("http://example.com:99999/", "malformed"),
        ("http://[::1/", "malformed"),
    ],
)
def test_check_url_refusals_say_why(url, words):
    reason = check_url(url)
    assert reason is not None
    assert reason.startswith("refused:")
    assert words in reason


@pytest.mark.parametrize(
    "url",
    [
        "https://techcrunch.com/feed/",
        "http://example.com:8080/rss?x=1",
        "HTTPS://Example.COM/atom.xml",
        "http://8.8.8.8/feed",
        "http://[2606:4700:4700::1111]/feed",
        "http://feeds.intranet.corp/rss",  # names are judged later, by the resolver
    ],
)
def test_check_url_accepts_public_http_urls(url):
    assert check_url(url) is None


@pytest.mark.parametrize(
    "url, refused",
    [
        ("http://127.0.0.1:8000/feed", False),
        ("http://10.0.0.1/feed", False),
        ("http://localhost/feed", False),
        ("file:///etc/passwd", True),
        ("http:///feed", True),
    ],
)
def test_allow_private_lifts_address_checks_but_not_scheme_checks(url, refused):
    assert (check_url(url, allow_private=True) is not None) is refused


@pytest.mark.parametrize(
    "address, refused",
    [("127.0.0.1", True), ("::1", True), ("10.1.2.3", True), ("8.8.8.8", False), ("not-an-ip", True)],
)
def test_refusal_for_resolved_address(address, refused):
    reason = refusal_for_address("feeds.example", address)
    assert (reason is not None) is refused
    if reason:
        assert "feeds.example" in reason
