"""The e-mail's text and the unsubscribe token (`app.domain.email_notice`), without a
database or a network."""

from __future__ import annotations

import string
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import email_notice
from app.domain.email_notice import Notice
from app.domain.timezone import VN_TZ

KEY = "test-key-of-thirty-two-bytes-0123456789"
AT = datetime(2026, 3, 9, 10, 30, tzinfo=VN_TZ)
BASE64URL = string.ascii_letters + string.digits + "-_"


def notice(action: str, title: str | None = "Đường ngập nước") -> Notice:
    return Notice(action, "PAKN-2026-000042", AT, "Bộ Tài chính", "Ministry of Finance", title)


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_a_token_names_its_petition_and_nothing_else_opens(petition_id: int) -> None:
    token = email_notice.unsubscribe_token(KEY, petition_id)
    assert len(token) == email_notice.TOKEN_LENGTH
    assert email_notice.petition_of_token(KEY, token) == petition_id
    assert email_notice.petition_of_token(KEY + "x", token) is None


def test_altered_and_garbage_tokens_open_nothing() -> None:
    """Every other character at every position, the last one too, whose 4 spare bits
    decoding ignores: only the canonical spelling opens the petition."""
    token = email_notice.unsubscribe_token(KEY, 42)
    for index in range(len(token)):
        for character in BASE64URL:
            if character == token[index]:
                continue
            changed = token[:index] + character + token[index + 1 :]
            assert email_notice.petition_of_token(KEY, changed) is None, (index, character)
    for garbage in ("", "x", token + "A", token[:-1], "=" * 54, "é" * 54, "+" * 54):
        assert email_notice.petition_of_token(KEY, garbage) is None


@pytest.mark.parametrize(
    ("action", "vietnamese", "english"),
    [
        ("ASSIGN", "đã được tiếp nhận và chuyển đến Bộ Tài chính", "sent to Ministry of Finance"),
        ("PROGRESS_UPDATE", "cập nhật tiến độ giải quyết của Bộ Tài chính", "progress update"),
        ("ANSWER", "đã có trả lời của Bộ Tài chính", "answered by Ministry of Finance"),
        ("OVERDUE", "đã quá hạn giải quyết (hạn 09/03/2026)", "is overdue"),
    ],
)
def test_the_message_says_what_happened_in_both_languages(
    action: str, vietnamese: str, english: str
) -> None:
    token = email_notice.unsubscribe_token(KEY, 42)
    message = email_notice.build_message(
        notice(action),
        outbox_id=7,
        to="hoa@example.vn",
        mail_from="PAKN <no-reply@pakn.gov.vn>",
        public_url="https://pakn.gov.vn",
        token=token,
        date=AT,
    )
    text = message.get_content()
    assert vietnamese in message["Subject"] and vietnamese in text and english in text
    assert "https://pakn.gov.vn/p/PAKN-2026-000042" in text
    assert f"https://pakn.gov.vn/unsubscribe/{token}" in text
    assert message["Message-ID"] == "<pakn-outbox-7@pakn.gov.vn>"
    assert message["List-Unsubscribe"] == f"<https://pakn.gov.vn/unsubscribe/{token}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Tiêu đề: Đường ngập nước" in text


def test_a_private_petitions_title_is_left_out() -> None:
    text = email_notice.body(notice("ANSWER", title=None), "https://pakn.gov.vn", "t")
    assert "Tiêu đề" not in text and "Đường ngập nước" not in text
