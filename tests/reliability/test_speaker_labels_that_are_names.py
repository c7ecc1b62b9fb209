"""A speaker label is a person of the file unless it names nobody. Zoom and Teams label each voice with the display
name a participant chose, which is seldom "First Last": "Saurabh Swaroop’s iPad" (a tablet that joined a class), "Kerry
Jones on Peramangk Lands" (an Australian acknowledgment of country), "Ana (she/her)", an e-mail address, a phone
number, "李明", "o'brien, sean", "Clara Jensen | ILO". Listings and exports without --show-names hide every one of
them, as they hide "First Last"; role and placeholder labels ("Moderator", "Speaker 1", "SPEAKER_00", "Participant 3")
stay as they are. The person is the name in the label: the case sheet's "Kerry Jones" is "Kerry Jones on Peramangk
Lands", and the import says what it read as the name."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from reliability.fuzz_support import run_cli

# (label, what the voice says); a Teams meeting export writes any display name in its voice tags
VOICES = [
    ("Moderator", "Thank you all for joining, and thank you, 李明, and you, Hang, for the notes."),
    ("Saurabh Swaroop’s iPad", "And, before that, in the initial session we started with what our basic plan was."),
    ("Kerry Jones on Peramangk Lands", "We trained forty line leaders in the first year."),
    ("Ana (she/her)", "The union chose who went to the training."),
    ("maria.lopez@ilo.org", "The brand paid for the second round of workshops."),
    ("Hang's iPhone", "Ana ran the sessions and Kerry paid the trainers."),
    ("李明", "The committee met every month after that."),
    ("o'brien, sean", "We kept the minutes of every meeting."),
    ("Clara Jensen | ILO", "The office followed up with each factory."),
    ("Onno Meijer, PhD", "The survey found fewer grievances in the second year."),
    ("+84 912 345 678", "I joined by phone from the factory floor."),
    ("Speaker 1", "I agree with what was said about the training."),
    ("SPEAKER_00", "The managers came to one session only."),
    ("Participant 3", "It started in May."),
]
# what names each person (as a word, in any listing)
SECRETS = ["Saurabh", "Swaroop", "Kerry", "Peramangk", "Ana", "she/her", "maria", "lopez", "Hang", "李明", "o'brien",
           "sean", "Clara", "Jensen", "Meijer", "912 345 678"]
ROLES = ["Moderator", "Speaker 1", "SPEAKER_00", "Participant 3"]


def _vtt(voices: list[tuple[str, str]]) -> str:
    cues = ["WEBVTT", ""]
    for n, (label, said) in enumerate(voices):
        cues += [f"3f2a1b9c-0d4e-4c1a-9e2b-{n:012d}/{n}-0", f"00:{n // 60:02d}:{n % 60:02d}.000 --> "
                 f"00:{n // 60:02d}:{n % 60:02d}.900", f"<v {label}>{said}</v>", ""]
    return "\n".join(cues)


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", text, re.IGNORECASE)]


@pytest.fixture
def meeting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    project = tmp_path / "p"
    assert run_cli(capsys, "init", str(project))[0] == 0
    (tmp_path / "meeting.vtt").write_text(_vtt(VOICES), encoding="utf-8")
    code, out, err = run_cli(capsys, "import", "-p", str(project), str(tmp_path / "meeting.vtt"))
    assert code == 0, err
    return project


LISTINGS = [["segments"], ["segments", "--json"], ["transcripts", "--json"], ["queue", "--json"], ["log"],
            ["log", "--json"]]


@pytest.mark.parametrize("argv", LISTINGS, ids=" ".join)
def test_no_listing_shows_a_display_name_unless_asked(meeting: Path, capsys: pytest.CaptureFixture[str],
                                                     argv: list[str]) -> None:
    code, out, err = run_cli(capsys, *argv, "-p", str(meeting))
    assert code == 0, err
    assert _leaks(out) == [], f"{' '.join(argv)} names them"
    if argv[0] == "segments":
        shown = {r["speaker"] for r in json.loads(run_cli(capsys, "segments", "-p", str(meeting), "--json")[1])}
        assert set(ROLES) <= shown  # the labels that name nobody are shown as they are
        code, out, err = run_cli(capsys, *argv, "-p", str(meeting), "--show-names")
        assert "Kerry Jones on" in out and "李明" in out and "Hang's iPhone" in out and "maria.lopez@ilo" in out


def test_the_name_inside_a_label_is_hidden_where_another_voice_says_it(meeting: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "segments", "-p", str(meeting), "--json")
    said = {r["ref"]: r["text"] for r in json.loads(out)}
    # each by the pseudonym of a speaker of this transcript
    assert re.fullmatch(r"Thank you all for joining, and thank you, \[speaker \d+\], and you, \[speaker \d+\],"
                        r" for the notes\.", said["meeting:1"])
    assert re.fullmatch(r"\[speaker \d+\] ran the sessions and \[speaker \d+\] paid the trainers\.",
                        said["meeting:6"])


def test_a_quote_bank_and_a_qdpx_show_no_display_name(meeting: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "codings", "add", "-p", str(meeting), "--segment", "meeting:6", "--code",
                             "relevance.needs_fit", "--coder", "eva")
    assert code == 0, err
    code, out, err = run_cli(capsys, "export", "quotes", "-p", str(meeting), "--format", "md,csv", "-o",
                             str(tmp_path / "out"), "--force")
    assert code == 0, err
    bank = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir())
    assert "ran the sessions and" in bank and _leaks(bank) == []
    code, out, err = run_cli(capsys, "refi", "export", "-p", str(meeting), "-o", str(tmp_path / "m.qdpx"))
    assert code == 0, err
    with zipfile.ZipFile(tmp_path / "m.qdpx") as z:
        shipped = "\n".join(z.read(n).decode("utf-8") for n in z.namelist())
    assert "before that, in the initial session" in shipped and _leaks(shipped) == []
    code, out, err = run_cli(capsys, "export", "quotes", "-p", str(meeting), "--format", "md", "-o",
                             str(tmp_path / "named"), "--force", "--show-names")
    assert code == 0, err
    assert "Ana ran the sessions and Kerry paid" in (tmp_path / "named").joinpath(
        next(p.name for p in (tmp_path / "named").iterdir())).read_text(encoding="utf-8")


def _teams_docx(turns: list[tuple[str, str]]) -> bytes:
    """A Teams transcript as a cleaning tool saves it in Word: the display name in bold, then what was said."""
    import docx

    document = docx.Document()
    for name, said in turns:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{name}: ").bold = True
        paragraph.add_run(said)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_case_sheet_finds_each_person_inside_their_display_name(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # two interviews, each with a colleague who joined and spoke more than the informant the sheet names
    msl = [
        ("Mutsumi Karasaki", "Thanks for making the time. How did the programme start in your region?"),
        ("Kerry Jones on Peramangk Lands", "It started with the growers' cooperative asking for help with records."),
        ("Mutsumi Karasaki", "And who paid for the first workshops?"),
        ("Kerry Jones on Peramangk Lands", "The office paid for the first two."),
        ("Saurabh Swaroop’s iPad", "Then the cooperative took it over. I ran the books for it."),
        ("Saurabh Swaroop’s iPad", "The buyers paid on time once the records were kept. That was the change."),
        ("Mutsumi Karasaki", "What did the growers make of it?"),
        ("Kerry Jones on Peramangk Lands", "They liked it."),
        ("Saurabh Swaroop’s iPad", "Most of them. Some still keep their records on paper. They bring them to me."),
        ("Mutsumi Karasaki", "Is there anything you would do differently?"),
        ("Kerry Jones on Peramangk Lands", "Start with the women growers."),
        ("Saurabh Swaroop’s iPad", "Start earlier. The women kept the records anyway. They taught the others."),
    ]
    # a Teams meeting's captions: the display name in the voice tag
    ilo = [
        ("Mutsumi Karasaki", "How did the office choose the factories?"),
        ("maria.lopez@ilo.org", "By the union's list of grievances."),
        ("Mutsumi Karasaki", "Who followed up with them?"),
        ("Hang's iPhone", "The chamber did. It sent an adviser every month. The adviser wrote to the brand."),
        ("Hang's iPhone", "Then the brand paid for the second round. The factories asked for a third."),
    ]
    (tmp_path / "msl_chat.docx").write_bytes(_teams_docx(msl))
    (tmp_path / "ilo_call.vtt").write_text(_vtt(ilo), encoding="utf-8")
    (tmp_path / "cases.csv").write_text(
        "transcript_id,case_id,name,interviewer,type,stakeholder_group\n"
        "msl_chat,KII-01,Kerry Jones,Mutsumi Karasaki,KII,Implementing partner\n"
        "ilo_call,KII-02,María López,Mutsumi Karasaki,KII,ILO\n", encoding="utf-8")
    project = tmp_path / "p"
    assert run_cli(capsys, "init", str(project))[0] == 0
    code, out, err = run_cli(capsys, "import", "-p", str(project), str(tmp_path / "msl_chat.docx"),
                             str(tmp_path / "ilo_call.vtt"), "--cases", str(tmp_path / "cases.csv"))
    assert code == 0, err
    # the import says what it took for the name
    assert "'Kerry Jones on Peramangk Lands' as 'Kerry Jones'" in out
    assert "'maria.lopez@ilo.org' as 'Maria Lopez'" in out
    found = {}
    for tid in ("msl_chat", "ilo_call"):
        code, out, err = run_cli(capsys, "transcripts", "speakers", tid, "-p", str(project), "--json")
        assert code == 0, err
        found.update({s["label"]: (s["role"], s["case"]) for s in json.loads(out)["speakers"]})
    assert found["Kerry Jones on Peramangk Lands"] == ("informant", "KII-01")
    assert found["maria.lopez@ilo.org"] == ("informant", "KII-02")
    assert found["Mutsumi Karasaki"] == ("interviewer", None)
    assert found["Saurabh Swaroop’s iPad"][1] is None and found["Hang's iPhone"][1] is None


def test_an_informant_under_a_role_label_is_still_shown_by_their_case(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    voices = [("Interviewer", "How did the training start?"), ("Interviewee", "With the union's list."),
              ("Interviewer", "And then?"), ("Interviewee", "The brand paid for a second round.")]
    (tmp_path / "kii_05.vtt").write_text(_vtt(voices), encoding="utf-8")
    (tmp_path / "cases.csv").write_text("transcript_id,case_id,type\nkii_05,KII-05,KII\n", encoding="utf-8")
    project = tmp_path / "p"
    assert run_cli(capsys, "init", str(project))[0] == 0
    code, out, err = run_cli(capsys, "import", "-p", str(project), str(tmp_path / "kii_05.vtt"), "--cases",
                             str(tmp_path / "cases.csv"))
    assert code == 0, err
    code, out, err = run_cli(capsys, "segments", "-p", str(project), "--json")
    assert [r["speaker"] for r in json.loads(out)] == ["Interviewer", "[informant KII-05]"] * 2


def test_a_zoom_participant_named_by_their_e_mail_address_is_a_speaker(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    # Zoom's own captions: a cue number, the timing, "Display name: words"
    said = [("Saurabh Swaroop’s iPad", "yeah."), ("Interviewer", "What did you plan for the first session?"),
            ("Saurabh Swaroop’s iPad", "And, before that, in the initial session we started with our basic plan."),
            ("Hang's iPhone", "We followed it."), ("maria.lopez@ilo.org", "I sent the plan to the union."),
            ("Interviewer", "Who answered?"), ("maria.lopez@ilo.org", "Nobody, at first.")]
    cues = ["WEBVTT", ""]
    for n, (label, words) in enumerate(said, start=1):
        cues += [str(n), f"00:00:{n:02d}.000 --> 00:00:{n:02d}.900", f"{label}: {words}", ""]
    (tmp_path / "class.vtt").write_text("\n".join(cues), encoding="utf-8")
    project = tmp_path / "p"
    assert run_cli(capsys, "init", str(project))[0] == 0
    code, out, err = run_cli(capsys, "import", "-p", str(project), str(tmp_path / "class.vtt"))
    assert code == 0, err
    code, out, err = run_cli(capsys, "segments", "-p", str(project), "--json", "--show-names")
    rows = [(r["speaker"], r["text"]) for r in json.loads(out)]
    assert ("Hang's iPhone", "We followed it.") in rows
    assert ("maria.lopez@ilo.org", "I sent the plan to the union.") in rows
    code, out, err = run_cli(capsys, "segments", "-p", str(project), "--json")
    assert _leaks(out) == [] and {r["speaker"] for r in json.loads(out)} == {"Interviewer", "Speaker"}
