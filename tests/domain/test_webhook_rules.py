"""The webhook rules that need neither a database nor a network: URLs, addresses, the
backoff, the body."""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

import pytest

from app.domain import webhooks as rules
from app.domain.timezone import VN_TZ
from app.domain.webhooks import WebhookRefusal


@pytest.mark.parametrize(
    ("url", "host", "port", "host_header"),
    [
        ("https://news.example/hooks/pakn", "news.example", 443, "news.example"),
        ("http://news.example:8080/h?x=1", "news.example", 8080, "news.example:8080"),
        ("HTTPS://News.Example./h", "news.example", 443, "news.example"),
        ("http://[2001:db8::1]:81/", "2001:db8::1", 81, "[2001:db8::1]:81"),
        ("http://203.0.113.9/", "203.0.113.9", 80, "203.0.113.9"),
    ],
)
def test_urls_taken(url: str, host: str, port: int, host_header: str) -> None:
    parsed = rules.parse_url(url)
    assert (parsed.host, parsed.port, parsed.host_header) == (host, port, host_header)
    assert parsed.text == url


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://news.example/", rules.UNSUPPORTED_SCHEME),
        ("file:///etc/passwd", rules.UNSUPPORTED_SCHEME),
        ("news.example/hook", rules.UNSUPPORTED_SCHEME),
        ("javascript:alert(1)", rules.UNSUPPORTED_SCHEME),
        ("", rules.INVALID_URL),
        ("http://", rules.INVALID_URL),
        ("http:///path", rules.INVALID_URL),
        ("http://user:pw@news.example/", rules.INVALID_URL),
        ("http://news.example/#frag", rules.INVALID_URL),
        ("http://news.example:99999/", rules.INVALID_URL),
        ("http://news.example:0/", rules.INVALID_URL),
        ("http://news.example:abc/", rules.INVALID_URL),
        ("http://news example/", rules.INVALID_URL),
        ("http://báo.example/", rules.INVALID_URL),
        ("http://news.example/\n", rules.INVALID_URL),
        ("http://[::1/", rules.INVALID_URL),
        ("https://news.example/" + "a" * 2000, rules.URL_TOO_LONG),
    ],
)
def test_urls_refused(url: str, code: str) -> None:
    with pytest.raises(WebhookRefusal) as refused:
        rules.parse_url(url)
    assert refused.value.code == code
    assert len(refused.value.message) < 200


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.251",
        "255.255.255.255",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::",
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
        "64:ff9b::127.0.0.1",  # NAT64 to loopback
        "64:ff9b::10.0.0.1",
        "64:ff9b::169.254.169.254",
        "64:ff9b:1::8.8.8.8",  # local-use NAT64, whatever it embeds
        "::127.0.0.1",  # IPv4-compatible
        "::8.8.8.8",
        "::ffff:0:127.0.0.1",  # IPv4-translated
        "::ffff:0:8.8.8.8",
        "192.0.0.1",
        "192.0.0.9",
        "192.0.0.170",
        "fec0::1",
        "fed0::1",
        "3fff::1",
        "5f00::1",
    ],
)
def test_addresses_refused(address: str) -> None:
    assert rules.forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "1.1.1.1",
        "8.8.8.8",
        "2606:4700:4700::1111",
        "64:ff9b::8.8.8.8",  # NAT64 to a public address
        "2002:808:808::1",  # 6to4 of a public address
    ],
)
def test_public_addresses_taken(address: str) -> None:
    assert not rules.forbidden_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("address", "embedded"),
    [
        ("::ffff:10.0.0.1", "10.0.0.1"),
        ("2002:7f00:1::", "127.0.0.1"),
        ("64:ff9b::127.0.0.1", "127.0.0.1"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "127.0.0.1"),
        ("2606:4700:4700::1111", None),
    ],
)
def test_embedded_ipv4(address: str, embedded: str | None) -> None:
    found = rules.embedded_ipv4(ipaddress.IPv6Address(address))
    assert (str(found) if found else None) == embedded


def test_backoff_doubles_from_30_seconds_up_to_an_hour() -> None:
    waits = [rules.backoff_seconds(n) for n in range(1, 10)]
    assert waits[:5] == [30, 60, 120, 240, 480]
    assert waits[-1] == 3600
    assert rules.backoff_seconds(10_000) == 3600
    assert rules.backoff_seconds(0) == 30
    # retried for a day: some 30 attempts, not thousands
    elapsed, attempts = 0.0, 0
    while elapsed < 86_400:
        attempts += 1
        elapsed += rules.backoff_seconds(attempts)
    assert 25 <= attempts <= 35


def test_body_and_cursor() -> None:
    facts = rules.EventFacts(
        event_id=42,
        action="ANSWER",
        from_status="IN_PROGRESS",
        to_status="ANSWERED",
        at=datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=VN_TZ),
        actor_role="AGENCY_OFFICER",
        agency_code="BTC",
        note=None,
        tracking_code="PAKN-2026-000042",
    )
    assert rules.payload(facts) == {
        "type": "petition.event",
        "data": {
            "cursor": "ZXZlbnQ6NDI",
            "logIndex": 41,
            "action": "ANSWER",
            "fromStatus": "IN_PROGRESS",
            "toStatus": "ANSWERED",
            "at": "2026-12-02T09:30:15+07:00",
            "actorRole": "AGENCY_OFFICER",
            "agencyCode": "BTC",
            "note": None,
            "trackingCode": "PAKN-2026-000042",
        },
    }
    assert rules.webhook_id(42, 7) == rules.webhook_id(42, 7) != rules.webhook_id(42, 8)


def test_actions_parsed() -> None:
    known = frozenset({"ANSWER", "OVERDUE", "SUBMIT"})
    assert rules.parse_actions("answer, OVERDUE,answer", known) == ("ANSWER", "OVERDUE")
    for bad in ("", ",", "ANSWER,NOPE", "x" * 500):
        with pytest.raises(WebhookRefusal) as refused:
            rules.parse_actions(bad, known)
        assert refused.value.code == "UNKNOWN_ACTION"
        assert len(refused.value.message) < 200


def test_a_failing_endpoint_rests_as_long_again_as_it_has_failed() -> None:
    rest = rules.resting_seconds
    assert [rest(timedelta(seconds=s), 1) for s in (0, 30, 60, 120, 500)] == [30, 30, 60, 120, 500]
    assert rest(timedelta(hours=5), 1) == 3600
    assert rest(timedelta(0), 4) == 240, "never less than the delivery's own backoff"
    assert rest(timedelta(seconds=-5), 0) == 30
