"""Attributions never name an informant; the pseudonymiser removes known names, e-mails and phone numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthesis_support import NAMES, build_project

from qualcode.safety.privacy import Attributor, Person, Pseudonymiser, attribution


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    p = build_project(tmp_path / "p")
    yield p
    p.close()


def test_kii_attribution_names_role_organisation_type_and_place() -> None:
    attrs = {"type": "KII", "role": "HR manager", "organisation_type": "Factory (FDI)", "location": "Hai Phong",
             "stakeholder_group": "Factory"}
    assert attribution(attrs) == "Interview with an HR manager of a factory, Hai Phong"
    assert attribution({"attributes": attrs}) == "Interview with an HR manager of a factory, Hai Phong"


def test_fgd_attribution_describes_the_group_and_the_speaker_by_attributes() -> None:
    members = [{"role": "HR officer", "sex": "F"}, {"role": "Middle manager (production)", "sex": "M"},
               {"role": "HR officer", "sex": "M"}]
    speaker = {"type": "FGD", "role": "Union official", "sex": "F", "location": "Bac Ninh"}
    text = attribution(speaker, participants=members + [speaker])
    # two women and two men: the sex is the most a quote can say without singling out the union official
    assert text == "FGD with HR officers, middle managers and union officials, Bac Ninh (participant: woman)"


def test_attribution_shows_a_name_only_when_asked(project) -> None:  # type: ignore[no-untyped-def]
    seg = next(s for s in project.segments("KII-02") if s["role"] == "informant")
    assert "Vu Thi Lan" not in Attributor(project)(seg)
    assert "Vu Thi Lan" in Attributor(project, show_names=True)(seg)


def test_pseudonymiser_replaces_full_names_titles_given_names_emails_and_phones(project) -> None:  # type: ignore[no-untyped-def]
    ps = Pseudonymiser(project)
    text = ("Nguyen Thi Hoa told me, and Ms. Lan agreed: write to hoa.nguyen@example.org or call +84 912 345 678. "
            "Kim was there too.")
    out = ps(text, "KII-01")
    for leaked in ("Nguyen", "Hoa", "Lan", "Kim", "@", "912"):
        assert leaked not in out
    assert "[informant KII-01] told me" in out  # her own interview: her pseudonym
    # informants of other interviews are not linked to this one: a neutral placeholder, never their id
    assert "[name] agreed" in out and "[name] was there" in out
    assert "KII-02" not in out and "FGD-01" not in out
    assert "[email]" in out and "[phone]" in out


@pytest.mark.parametrize("titled", ["Ms. Lan", "Sra. Lan", "Mme Lan", "Ông Lan", "Bà Lan"])
def test_a_title_goes_with_the_name_it_stands_before_whatever_its_language(project, titled: str) -> None:  # type: ignore[no-untyped-def]
    # the titles the transcript reader knows are the pseudonymiser's: none is left before a placeholder
    assert Pseudonymiser(project)(f"{titled} agreed.", "KII-01") == "[name] agreed."


def test_pseudonymiser_keeps_places_that_share_a_name_part_and_ordinary_numbers(project) -> None:  # type: ignore[no-untyped-def]
    ps = Pseudonymiser(project)
    text = "Many workers come from Thanh Hoa province; in 2023 we had 146 grievances from 2,600 workers."
    assert ps(text, "KII-01") == text


def test_interviewers_named_in_the_case_sheet_are_pseudonymised(project) -> None:  # type: ignore[no-untyped-def]
    out = Pseudonymiser(project)("Clara Jensen and Tran Bao Long asked the questions.", "KII-01")
    assert "Clara" not in out and "Long" not in out
    assert out.count("[interviewer") == 2


def test_an_ambiguous_name_part_gets_the_neutral_placeholder() -> None:
    ps = Pseudonymiser(people=[Person("[informant A]", ["Le Van Minh"], {"T1"}),
                               Person("[informant B]", ["Pham Quang Minh"], {"T2"})])
    assert ps("Minh said so.") == "[name] said so."
    assert ps("Then Minh left.") == "Then [name] left."


def test_show_names_leaves_text_unchanged(project) -> None:  # type: ignore[no-untyped-def]
    text = "Thank you, Ms. Lan."
    assert Pseudonymiser(project, enabled=False)(text) == text
    assert Pseudonymiser(project).known_names()  # names come from the case sheet
    assert set(NAMES) <= set(Pseudonymiser(project).known_names())


def test_a_memo_exported_with_names_withheld_hides_whole_multi_word_names(tmp_path, example_project_dir) -> None:  # type: ignore[no-untyped-def]
    """A three-part Vietnamese name goes whole, typed precomposed or decomposed (NFD, as pasted from some editors)
    or wrapped at a line end; so does a two-part name; the sentences around them stay as they were."""
    import unicodedata
    import zipfile

    from qualcode.importing import plan_case_sheet
    from qualcode.refi import export_qdpx
    from qualcode.store import Project

    sheet = tmp_path / "sheet.csv"
    sheet.write_text("transcript_id,case_id,name,stakeholder_group\nKII-12,KII-12-B,Trần Văn Nam,Government\n",
                     encoding="utf-8")
    memo = ("The director came with her deputy Trần Văn Nam. Nam said little; "
            + unicodedata.normalize("NFD", "her deputy Trần Văn Nam") + " left early and Tran Van\nNam came back"
            " with Sarah\nWhitfield. Hoa agreed.")
    with Project.open(example_project_dir) as p:
        plan_case_sheet(p, sheet, coder="tester")
        p.set_memo("project", "project", memo, coder="tester")
        export_qdpx(p, tmp_path / "out.qdpx")
    with zipfile.ZipFile(tmp_path / "out.qdpx") as z:
        qde = unicodedata.normalize("NFC", z.read("project.qde").decode("utf-8"))
    start = qde.index("The director came")
    shown = qde[start:qde.index("agreed.", start) + len("agreed.")]
    assert shown == ("The director came with her deputy [name]. [name] said little; her deputy [name] left early and"
                     " [name] came back with [name]. [name] agreed.")
    assert "Nam" not in shown and "Văn" not in shown and "Whitfield" not in shown


def test_names_on_lines_of_their_own_stay_apart_and_a_wrapped_full_name_goes_whole() -> None:
    ps = Pseudonymiser(people=[Person("P1", ["Nguyễn Thị Hoa"], {"T1"}), Person("P2", ["Trần Văn Nam"], {"T1"}),
                               Person("P3", ["Lê Thế Anh"], {"T1"})])
    # the next speaker's turn, a list of attendees: each name is its own person, the line breaks stay
    assert ps("Ask Hoa\nNam: yes I agree", "T1") == "Ask P1\nP2: yes I agree"
    assert ps("Attendees:\nHoa\nNam", "T1") == "Attendees:\nP1\nP2"
    # "The" at a sentence start is the word, not "Thế" of Lê Thế Anh (whose name is written with its accent)
    text = "I spoke with Hoa\nThe next day we met. The end."
    assert ps(text, "T1") == text.replace("Hoa", "P1")
    assert ps("Thế said the course helped.", "T1") == "P3 said the course helped."
    # a full name wrapped at a line end is still one person
    assert ps("her deputy Trần Văn\nNam said", "T1") == "her deputy P2 said"
