"""The rule-based sentence splitter behind coding units, and linear time on large input."""

from __future__ import annotations

import time

import pytest

from qualcode.errors import InputError
from qualcode.importers import parse_transcript
from qualcode.importers.sentences import split_sentences, unit_spans


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def units(text: str) -> list[str]:
    return [text[a:b] for a, b in unit_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Hai and Dr. Lan came. Ms. Yen did not.", ["Mr. Hai and Dr. Lan came.", "Ms. Yen did not."]),
        ("The rate rose to 3.5 percent. Then it fell.", ["The rate rose to 3.5 percent.", "Then it fell."]),
        ("See Decree No. 12 on this. It is new.", ["See Decree No. 12 on this.", "It is new."]),
        ("Topics e.g. wages, i.e. pay. Next one.", ["Topics e.g. wages, i.e. pay.", "Next one."]),
        ("Well... we tried. Really?! Yes!", ["Well... we tried.", "Really?!", "Yes!"]),
        ("He said “Why?” and left. We stayed.", ["He said “Why?” and left.", "We stayed."]),
        ("“It works.” Then silence.", ["“It works.”", "Then silence."]),
        ("Anh Nguyen V. Hai đồng ý. Đúng vậy.", ["Anh Nguyen V. Hai đồng ý.", "Đúng vậy."]),
        ("Chúng tôi làm việc ở TP. Hải Phòng. Ổn.", ["Chúng tôi làm việc ở TP. Hải Phòng.", "Ổn."]),
        ("I said no. Then we left.", ["I said no.", "Then we left."]),
    ],
)
def test_sentence_boundaries(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_short_fragments_merge_into_a_neighbour() -> None:
    text = "Yes. We sent twelve supervisors to the course. It helped a lot. Thank you."
    assert units(text) == [
        "Yes. We sent twelve supervisors to the course.",
        "It helped a lot. Thank you.",
    ]


def test_a_short_paragraph_stays_one_unit() -> None:
    assert units("Yes.") == ["Yes."]


def test_units_never_cross_paragraphs_or_turns() -> None:
    parsed = parse_transcript(
        b"Interviewer: Was it useful?\n\nMs. Lan: Yes.\n\nVery useful for the supervisors in our factory.\n", "k.txt"
    )
    texts = [parsed.text[u.start : u.end] for u in parsed.units]
    assert texts == ["Was it useful?", "Yes.", "Very useful for the supervisors in our factory."]


# A guard against catastrophic backtracking, not a speed goal: these inputs parse in well under a second,
# a quadratic or backtracking parse of them takes minutes. The bound is on this process's processor time, so a
# busy machine does not make it fail.
SLOW = 15.0

@pytest.mark.parametrize(
    "paragraph",
    [
        "." * 400_000,
        "a." * 200_000,
        "Mr. " * 100_000,
        "**" + "x" * 400_000,
        "[" * 200_000,
        ":" * 200_000,
        ("Interviewer: " + "word " * 50 + "\n") * 2_000,
    ],
    ids=["dots", "initials", "titles", "open-bold", "brackets", "colons", "long-transcript"],
)
def test_large_pathological_input_stays_fast(paragraph: str) -> None:
    started = time.process_time()
    parse_transcript(paragraph.encode(), "big.txt")
    assert time.process_time() - started < SLOW


def test_time_grows_linearly_with_size() -> None:
    turn = "Interviewer: How did the training go?\n\nMs. Lan: It went well. The reason was simple: we planned it.\n\n"

    def cost(n: int) -> float:
        # processor time of this process, best of three: other work on the machine does not count against it
        data = (turn * n).encode()
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            parse_transcript(data, "big.txt")
            best = min(best, time.process_time() - started)
        return best

    small, large = cost(500), cost(4000)
    assert large < small * 8 * 3 + 0.5  # 8x the input, allowing noise, but nothing quadratic


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"WEBVTT\n\n00:00.000 --> 00:01.000\n" + b"<v " * 100_000, "tags.vtt"),
        (b"WEBVTT\n\n00:00.000 --> 00:01.000\n" + b"<c.x " * 100_000, "classes.vtt"),
        (b"1\n00:00:00,000 --> 00:00:01,000\n" + b"{\\an8" * 100_000, "ass.srt"),
        (b"Interviewer: " + b"**a " * 100_000, "bold.md"),
        (b"Speaker 1" + b" " * 200_000 + b"0:03\nText\n\nSpeaker 2  0:05\nMore\n", "spaces.txt"),
    ],
    ids=["unclosed-voice", "unclosed-class", "unclosed-ass", "unclosed-bold", "long-header"],
)
def test_unclosed_markup_stays_fast(data: bytes, name: str) -> None:
    started = time.process_time()
    try:
        parse_transcript(data, name)
    except InputError:
        pass  # rejecting is fine; hanging is not
    assert time.process_time() - started < SLOW


def test_a_bracketed_group_counts_as_one_word_when_short_sentences_join() -> None:
    from qualcode.importers.sentences import unit_spans

    def units(text: str) -> list[str]:
        return [text[a:b] for a, b in unit_spans(text)]

    # a name and the placeholder that withholds it cut the paragraph alike
    named = "I agree with Thao. In Bac Ninh the ILO was there."
    withheld = "I agree with [informant FGD-02-P2]. In Bac Ninh the ILO was there."
    assert len(units(named)) == len(units(withheld)) == 1
    assert units("Yes [inaudible 00:12:03] we did. The course helped every worker.") == [
        "Yes [inaudible 00:12:03] we did. The course helped every worker."]
    # five real words stand alone; an unclosed bracket is words as usual
    assert len(units("We trained three hundred workers. Then the money ran out.")) == 2
    assert len(units("[We trained three hundred workers. Then the money ran out.")) == 2
