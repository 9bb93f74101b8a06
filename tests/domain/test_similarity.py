"""The words similar petitions are compared by, their scores and their order
(`app.domain.similarity`)."""

from __future__ import annotations

import pytest

from app.domain.similarity import (
    FOLDED_STOP_SYLLABLES,
    MAX_TERMS,
    NEAR_EQUAL,
    STOP_SYLLABLES,
    Document,
    Scored,
    bm25,
    inverse_document_frequency,
    is_stop_syllable,
    rank,
    similarity_terms,
)
from app.domain.text import fold


@pytest.mark.parametrize("word", ["của", "và", "các", "Những", "ĐƯỢC", "cho", "là", "có"])
def test_common_syllables_are_stop_syllables(word: str) -> None:
    assert is_stop_syllable(word)


@pytest.mark.parametrize("word", ["cua", "va", "cac", "duoc", "khong", "CUA"])
def test_a_stop_syllable_written_without_diacritics_is_one_too(word: str) -> None:
    assert is_stop_syllable(word)


@pytest.mark.parametrize("word", ["cửa", "dược", "cưa", "đất", "thuế", "hộ", "khẩu"])
def test_an_accented_word_that_folds_like_a_stop_syllable_still_counts(word: str) -> None:
    assert not is_stop_syllable(word)


def test_the_stop_list_is_the_brief_s_and_folded() -> None:
    brief = (
        "của và các những được cho là có không trong với đã này khi người theo tại về để một từ đến"
    ).split()
    assert set(brief) <= STOP_SYLLABLES
    assert all(word == word.lower() for word in STOP_SYLLABLES)
    assert {fold(word) for word in STOP_SYLLABLES} == FOLDED_STOP_SYLLABLES


def test_terms_are_folded_without_stop_syllables_title_first() -> None:
    terms = similarity_terms(
        "Thủ tục cấp sổ đỏ của các hộ dân", "Sổ đỏ và sổ hồng. Cấp giấy chứng nhận đất đai, đất"
    )
    assert terms[:7] == ["thu", "tuc", "cap", "so", "do", "ho", "dan"]
    # the body's words not in the title, the most repeated first
    assert terms[7:] == ["dat", "hong", "giay", "chung", "nhan", "dai"]


def test_a_text_without_diacritics_has_the_accented_text_s_terms() -> None:
    accented = similarity_terms("Phản ánh về thủ tục đăng ký đất đai tại Hà Nội")
    plain = similarity_terms("phan anh ve thu tuc dang ky dat dai tai ha noi")
    assert (
        plain == accented == ["phan", "anh", "thu", "tuc", "dang", "ky", "dat", "dai", "ha", "noi"]
    )


def test_only_a_plain_word_can_be_taken_for_a_stop_syllable() -> None:
    # "cua" may be "của", so it is dropped; "cửa" (a door) is not "của"
    assert similarity_terms("cửa hàng của tôi", "cua") == ["cua", "hang"]
    assert similarity_terms("cua hang cua toi") == ["hang"]


def test_a_text_of_stop_syllables_has_no_terms() -> None:
    assert similarity_terms("của và các", "những được cho là có không") == []
    assert similarity_terms("   ", None) == []
    assert similarity_terms("!!! ???") == []


def test_terms_are_distinct_and_bounded() -> None:
    body = " ".join(f"từ{n} từ{n}" for n in range(500))
    terms = similarity_terms("tiêu đề", body)
    assert len(terms) == MAX_TERMS
    assert len(set(terms)) == len(terms)
    assert terms[:2] == ["tieu", "de"]


def test_rarer_words_weigh_more() -> None:
    assert inverse_document_frequency(1, 1_000_000) > inverse_document_frequency(900_000, 1_000_000)
    assert inverse_document_frequency(1_000_000, 1_000_000) >= 0
    assert inverse_document_frequency(5, 0) >= 0


def test_bm25_prefers_more_and_rarer_shared_words() -> None:
    weights = {"dat": 1.0, "dai": 1.0, "ngai": 5.0}
    terms = ["dat", "dai", "ngai"]
    both = bm25(terms, weights, Document.of("so do dat dai"), 4)
    one = bm25(terms, weights, Document.of("so do dat hong"), 4)
    rare = bm25(terms, weights, Document.of("tinh quang ngai"), 4)
    assert both > one > 0
    assert rare > both
    assert bm25(terms, weights, Document.of(""), 4) == 0
    assert bm25(terms, weights, Document.of("khac han"), 4) == 0
    # a word repeated counts more, with diminishing returns; a longer text counts less
    twice = bm25(terms, weights, Document.of("dat dat"), 2)
    once = bm25(terms, weights, Document.of("dat"), 2)
    assert once < twice < 2 * once
    assert bm25(terms, weights, Document.of("dat " + "x " * 20), 4) < once


def test_rank_puts_answered_first_among_near_equal_scores() -> None:
    close = 10 * (1 - NEAR_EQUAL / 2)
    ranked = rank(
        [
            Scored(1, 10.0, answered=False),
            Scored(2, close, answered=True),
            Scored(3, 5.0, answered=True),
            Scored(4, 6.0, answered=False),
            Scored(5, 0.0, answered=True),
        ],
        limit=10,
    )
    assert ranked == [2, 1, 4, 3]


def test_rank_keeps_a_clearly_better_unanswered_petition_first() -> None:
    ranked = rank([Scored(1, 10.0, answered=False), Scored(2, 8.0, answered=True)], limit=5)
    assert ranked == [1, 2]


def test_rank_cuts_at_the_limit_and_breaks_ties_by_the_newer() -> None:
    candidates = [Scored(n, 3.0, answered=False) for n in range(1, 8)]
    assert rank(candidates, limit=3) == [7, 6, 5]
