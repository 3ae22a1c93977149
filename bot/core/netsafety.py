"""Which network addresses a feed may live on: the pure half of the SSRF defence.

A chat user can hand the bot any URL. Without these checks `/feeds add http://169.254.169.254/`
would read the cloud metadata service and `http://127.0.0.1:6379/` would poke a local Redis.
The HTTP adapter calls these functions on every redirect hop and on every address it is about
to connect to; this module only decides, it never resolves or connects.

Host spellings matter as much as ranges: C's inet_aton (used by getaddrinfo) and the WHATWG URL
parser both read `2130706433`, `0x7f000001`, `0177.0.0.1` and `127.1` as 127.0.0.1, so
`parse_ip_literal` accepts every one of those forms instead of trusting `ipaddress`, which only
reads canonical dotted quads.
"""

from __future__ import annotations

import re
import unicodedata
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from urllib.parse import urlsplit

IPAddress = IPv4Address | IPv6Address

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Non-public IPv4 ranges, each with the words used in a refusal message. Spelled out rather than
# taken from `ipaddress.is_global`, whose answers changed between Python releases (100.64/10, for
# one) and which would make the refusal list depend on the interpreter.
_IPV4_NON_PUBLIC: tuple[tuple[IPv4Network, str], ...] = tuple(
    (IPv4Network(net), what)
    for net, what in (
        ("0.0.0.0/8", "an unspecified ('this network') address"),
        ("10.0.0.0/8", "a private (RFC 1918) address"),
        ("100.64.0.0/10", "a carrier-grade NAT (100.64/10) address"),
        ("127.0.0.0/8", "a loopback address"),
        ("169.254.0.0/16", "a link-local address"),
        ("172.16.0.0/12", "a private (RFC 1918) address"),
        ("192.0.0.0/24", "an IETF protocol assignment address"),
        ("192.0.2.0/24", "a documentation address"),
        ("192.88.99.0/24", "a 6to4 relay anycast address"),
        ("192.168.0.0/16", "a private (RFC 1918) address"),
        ("198.18.0.0/15", "a benchmarking address"),
        ("198.51.100.0/24", "a documentation address"),
        ("203.0.113.0/24", "a documentation address"),
        ("224.0.0.0/4", "a multicast address"),
        ("240.0.0.0/4", "a reserved or broadcast address"),
    )
)

# IPv6 ranges refused outright. Checked before the "must be global unicast 2000::/3" rule so the
# message names the specific range.
_IPV6_NON_PUBLIC: tuple[tuple[IPv6Network, str], ...] = tuple(
    (IPv6Network(net), what)
    for net, what in (
        ("::/128", "an unspecified address"),
        ("::1/128", "a loopback address"),
        # Mapped (::ffff:a.b.c.d) and compatible (::a.b.c.d) forms reach the embedded IPv4 host on
        # dual-stack sockets; no public server publishes such an address, so refuse them whole.
        ("::ffff:0:0/96", "an IPv4-mapped address"),
        ("::/96", "an IPv4-compatible address"),
        ("64:ff9b:1::/48", "a local-use NAT64 address"),
        ("100::/64", "a discard-only address"),
        ("2001:2::/48", "a benchmarking address"),
        ("2001:10::/28", "an ORCHID address"),
        ("2001:20::/28", "an ORCHIDv2 address"),
        ("2001:db8::/32", "a documentation address"),
        ("3fff::/20", "a documentation address"),
        ("5f00::/16", "a segment-routing address"),
        ("fc00::/7", "a unique-local (private) address"),
        ("fe80::/10", "a link-local address"),
        ("fec0::/10", "a site-local address"),
        ("ff00::/8", "a multicast address"),
    )
)

_NAT64_WELL_KNOWN = IPv6Network("64:ff9b::/96")
_GLOBAL_UNICAST = IPv6Network("2000::/3")

# Dots that IDNA (and therefore yarl, which aiohttp uses) maps to "." in host names.
_UNICODE_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


def normalize_host(host: str) -> str:
    """The host as a resolver will see it: NFKC-folded, lower-case, dots unified.

    yarl applies IDNA mapping, so "１２７．０．０．１" (full-width) reaches the socket as 127.0.0.1;
    our checks must see the same thing.
    """
    folded = unicodedata.normalize("NFKC", host).translate(_UNICODE_DOTS)
    return folded.strip().lower()


def _parse_ipv4_part(part: str) -> int | None:
    """One inet_aton part: decimal, 0x-hex, or 0-prefixed octal. None if not a number."""
    if not part or not part.isascii():
        return None
    if part[:2] in ("0x", "0X"):
        digits = part[2:]
        if digits == "":
            return 0  # WHATWG reads a bare "0x" as zero; refusing more is the safe side
        try:
            return int(digits, 16)
        except ValueError:
            return None
    if len(part) > 1 and part[0] == "0":
        try:
            return int(part[1:], 8)
        except ValueError:
            return None
    return int(part) if part.isdigit() else None


def _parse_ipv4_any_form(host: str) -> IPv4Address | None:
    """IPv4 in any of the 1-4 part forms inet_aton accepts, e.g. 127.1 or 0x7f.0.0.1."""
    if host.endswith("."):
        host = host[:-1]  # WHATWG and resolvers both treat "127.0.0.1." as the address
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_parse_ipv4_part(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    *leading, last = numbers
    if any(n > 255 for n in leading):  # type: ignore[operator]
        return None
    # The last part fills every byte the earlier parts did not: 127.1 -> 127.0.0.1.
    last_bytes = 5 - len(parts)
    if last >= 256**last_bytes:  # type: ignore[operator]
        return None
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))  # type: ignore[operator]
    return IPv4Address(value)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The IP address a host string denotes, in any spelling a client or OS accepts; else None.

    Accepts bracketed and bare IPv6 (zone ids dropped), dotted quads, single numbers
    (2130706433), hex (0x7f000001), octal (0177.0.0.1), short forms (127.1) and mixes of these.
    """
    text = normalize_host(host)
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        address = text.split("%", 1)[0]  # "fe80::1%eth0" / "%25eth0": the zone is not the host
        try:
            return IPv6Address(address)
        except ValueError:
            return None
    return _parse_ipv4_any_form(text)


def looks_numeric(host: str) -> bool:
    """True when a host's last label is a number, which makes it an IPv4 attempt, not a name.

    This is the WHATWG "ends in a number" rule: such a host that fails to parse as an address
    is an error, never a DNS name, so a malformed one must be refused rather than resolved.
    """
    text = normalize_host(host).rstrip(".")
    last = text.rsplit(".", 1)[-1]
    if last[:2] in ("0x", "0X"):
        return all(c in "0123456789abcdefABCDEF" for c in last[2:])
    return last.isascii() and last.isdigit()


def _ipv4_problem(ip: IPv4Address) -> str | None:
    for network, what in _IPV4_NON_PUBLIC:
        if ip in network:
            return what
    return None


def _embedded_ipv4(ip: IPv6Address) -> tuple[IPv4Address, str] | None:
    """The IPv4 host an IPv6 transition address delivers to, with the mechanism's name."""
    if ip in _NAT64_WELL_KNOWN:
        return IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    if ip.sixtofour is not None:
        return ip.sixtofour, "6to4"
    return None


def address_problem(ip: IPAddress) -> str | None:
    """Why `ip` is not a public internet address (e.g. "a loopback address"), or None if it is."""
    if isinstance(ip, IPv4Address):
        return _ipv4_problem(ip)
    ip = IPv6Address(ip.compressed.split("%", 1)[0]) if ip.scope_id else ip
    for network, what in _IPV6_NON_PUBLIC:
        if ip in network:
            return what
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        inner, mechanism = embedded
        inner_problem = _ipv4_problem(inner)
        if inner_problem:
            return f"a {mechanism} address embedding {inner}, {inner_problem}"
        return None
    if ip.teredo is not None:
        # Teredo carries a server and an (obfuscated) client IPv4; both must be public.
        for inner in ip.teredo:
            inner_problem = _ipv4_problem(inner)
            if inner_problem:
                return f"a Teredo address embedding {inner}, {inner_problem}"
        return None
    if ip not in _GLOBAL_UNICAST:
        return "a reserved address (outside global unicast 2000::/3)"
    return None


def is_public_address(ip: IPAddress) -> bool:
    """True only for addresses routable on the public internet."""
    return address_problem(ip) is None


def describe_refusal(host: str, ip: IPAddress) -> str:
    """One sentence naming the host, the address it denotes and why it is refused."""
    problem = address_problem(ip) or "not allowed"
    shown = host.strip("[]")
    if shown.lower() == ip.compressed:
        return f"refused: {shown} is {problem}"
    return f"refused: {host} means {ip.compressed}, {problem}"


# What str.isspace() calls a space (re's \s is the same set for str patterns), or a control
# character below 32.
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")


def check_url(url: str, *, allow_private: bool = False) -> str | None:
    """Why this URL must not be fetched, as a sentence starting "refused:"; None if it may be.

    Only the URL itself is judged: a host *name* is left to the resolver check done at
    connection time. With `allow_private`, only the scheme and host presence are checked.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a non-numeric or out-of-range port
    except ValueError as exc:
        return f"refused: malformed URL ({exc})"
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}:" if scheme else "a path without http:// or https://"
        return f"refused: only http and https URLs are fetched, not {shown}"
    if not host:
        return "refused: the URL has no host"
    if _SPACE_OR_CONTROL.search(host):
        return "refused: the host contains spaces or control characters"
    if allow_private:
        return None
    name = normalize_host(host).rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return f"refused: {host} is a loopback name"
    ip = parse_ip_literal(host)
    if ip is not None:
        return None if is_public_address(ip) else describe_refusal(host, ip)
    if looks_numeric(host):
        return f"refused: {host} is not a valid IP address"
    return None


def refusal_for_address(host: str, address: str) -> str | None:
    """Refusal sentence when a resolved/connected `address` (a string) is not public, else None."""
    ip = parse_ip_literal(address)
    if ip is None:
        return f"refused: {host} resolved to {address!r}, which is not an IP address"
    if is_public_address(ip):
        return None
    return f"refused: {host} resolves to {ip.compressed}, {address_problem(ip)}"


__all__ = [
    "ALLOWED_SCHEMES",
    "IPAddress",
    "address_problem",
    "check_url",
    "describe_refusal",
    "is_public_address",
    "looks_numeric",
    "normalize_host",
    "parse_ip_literal",
    "refusal_for_address",
]
