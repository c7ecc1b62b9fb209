"""The import report's check for a speaker's label left in the text looks at every unit, sentences included: a
name standing as a label inside a full sentence ("... forty workers. Clara Jensen: How many stayed?") was passed
over because the unit ended with a full stop, and both the merged turn and the name in the text went unreported."""

from __future__ import annotations

from qualcode.importing import SpeakerStats, TranscriptFacts, transcript_warnings
from qualcode.speakers import Assignment


def warnings_for(units: list[str], names: set[str]) -> list[str]:
    stats = SpeakerStats()
    for label, n in (("Clara Jensen", 6), ("Le Van Duc", 6)):
        stats.labels.append(label)
        stats.units[label] = n
        stats.turns[label] = 3
    assignments = [Assignment("Clara Jensen", "interviewer", None, "import"),
                   Assignment("Le Van Duc", "informant", "KII-71", "import")]
    return transcript_warnings(TranscriptFacts("KII-71", "verbatim", True, stats, assignments,
                                               list(enumerate(units, start=1)), True, 1, names))


def leak_warnings(warnings: list[str]) -> list[str]:
    return [w for w in warnings if "label inside" in w]


def test_a_speakers_label_inside_a_full_sentence_is_found() -> None:
    units = ["We trained forty workers in March.",
             "They all came back in June. Clara Jensen: How many of them stayed on after the training?",
             "Most of them stayed, I think.",
             "And the union? **Le Van Duc:** It helped with the contracts."]
    [warning] = leak_warnings(warnings_for(units, {"clara jensen", "le van duc"}))
    assert warning.startswith("2 unit(s) hold a speaker's name as a label inside their sentences (e.g. KII-71:2"
                              " \"...Clara Jensen: How many of them stayed on after the\")")


def test_a_header_with_a_time_inside_a_sentence_is_found() -> None:
    units = ["We trained forty workers in March. Le Van Duc [00:12:03] Yes, and they stayed on."]
    assert len(leak_warnings(warnings_for(units, {"clara jensen", "le van duc"}))) == 1


def test_names_said_in_speech_and_ordinary_words_before_a_colon_are_not_labels() -> None:
    units = ["I asked Clara Jensen about it and she agreed with the plan.",
             "The answer is simple: we trained them all.",
             "Clara Jensen said: we will see how it goes.",
             "It took a long time: about two years in all.",
             "Long story short: the budget came late.",
             "We met at 10:30 and then went on."]
    assert leak_warnings(warnings_for(units, {"clara jensen", "le van duc", "long"})) == []
