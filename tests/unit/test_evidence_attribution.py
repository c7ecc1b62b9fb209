"""Attribution you control: the case sheet's consented wording verbatim, else the project's template with the right
articles; a focus-group participant's detail only where it cannot single anyone out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from teams_support import build_project

from qualcode.cli import main
from qualcode.errors import InputError
from qualcode.exports.quotes import quote_bank
from qualcode.safety.attribution import attribution, participant_detail, set_templates, with_article
from qualcode.store import Project


@pytest.mark.parametrize(("phrase", "expected"), [
    ("HR manager", "an HR manager"), ("union official", "a union official"), ("informant", "an informant"),
    ("UN agency", "a UN agency"), ("NGO", "an NGO"), ("ILO staff", "ILO staff"), ("hour", "an hour"),
    ("European donor", "a European donor"), ("the chamber of commerce", "the chamber of commerce"),
    ("employers' organisation", "an employers' organisation"), ("university", "a university"),
])
def test_indefinite_articles_follow_the_sound(phrase: str, expected: str) -> None:
    assert with_article(phrase) == expected


def test_the_case_sheet_wording_is_used_verbatim_and_the_template_otherwise() -> None:
    consented = {"type": "KII", "role": "Deputy director", "organisation_type": "Ministry", "location": "Ha Noi",
                 "attribution": "Interview with a representative of the Ministry"}
    assert attribution(consented) == "Interview with a representative of the Ministry"
    plain = {k: v for k, v in consented.items() if k != "attribution"}
    assert attribution(plain) == "Interview with a deputy director of a ministry, Ha Noi"
    assert attribution({"type": "KII", "organisation_type": "Ministry"}) == "Interview with an informant of a ministry"
    template = "Interview with {a group} informant[ in {location}]"
    assert attribution({"type": "KII", "stakeholder_group": "Employers' organisation"}, kii_template=template) == \
        "Interview with an employers' organisation informant"


def test_a_focus_group_detail_needs_two_participants_at_every_level() -> None:
    group = [{"type": "FGD", "role": r, "sex": s, "stakeholder_group": g} for r, s, g in (
        ("HR officer", "F", "Factory"), ("Middle manager", "M", "Factory"), ("Union official", "F", "Workers"),
        ("HR officer", "F", "Factory"), ("Line leader", "M", "Factory"))]
    union = group[2]
    # role+sex, role and group each leave someone alone; sex does not
    assert participant_detail(union, group) == "woman"
    assert {participant_detail(p, group) for p in group} == {"woman", "man"}
    assert participant_detail(union, group, k=1) == "union official, woman"
    assert participant_detail(union, group, k=4) is None
    twins = [{"role": "HR officer", "sex": "F"}, {"role": "HR officer", "sex": "F"},
             {"role": "Union official", "sex": "M"}, {"role": "Union official", "sex": "M"}]
    assert participant_detail(twins[2], twins) == "union official, man"


def test_cases_shows_each_attribution_and_the_template_can_be_changed(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    build_project(tmp_path / "p").close()
    p = str(tmp_path / "p")
    assert main(["cases", "-p", p, "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["KII-01"]["attribution"] == "Interview with an HR manager, Hai Phong"
    assert rows["KII-01"]["fits"] == 1 and rows["KII-01"]["attribution_source"] == "template"
    assert main(["cases", "-p", p, "--attribution-template", "Interview with an informant from {group}"]) == 0
    out = capsys.readouterr().out
    assert "Interview with an informant from factories" in out
    assert main(["cases", "-p", p, "--attribution-template", "Interview with {a rol}"]) == 2
    assert "did you mean 'role'" in capsys.readouterr().err
    assert main(["cases", "-p", p, "--default-attribution", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["KII-01"]["attribution"] == "Interview with an HR manager, Hai Phong"
    with Project.open(tmp_path / "p") as project, pytest.raises(InputError, match="do not match"):
        set_templates(project, coder="ana", kii="Interview with [{a role}")


def test_the_example_quotes_informants_as_they_consented(example_project: Project) -> None:
    rows = [r for c in quote_bank(example_project)["criteria"] for r in c["rows"]]
    by_transcript = {r["transcript"]: r["attribution"] for r in rows}
    assert by_transcript["KII-03"] == "Interview with a representative of the Ministry"
    assert by_transcript["KII-10"] == "Interview with a donor representative"
    assert by_transcript["KII-08"] == "Interview with an HR manager of a factory, Bac Giang"
    fgd = {r["attribution"] for r in rows if r["transcript"] == "FGD-01"}
    assert not any("union official," in a or "participant: union" in a for a in fgd)
    assert all("deputy director" not in a.lower() for a in by_transcript.values())
