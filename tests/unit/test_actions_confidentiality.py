"""The confidentiality actions: how quotes attribute informants, and the name list of people named in passing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from shape_support import assert_shape
from teams_support import build_project

from qualcode.actions import views
from qualcode.actions.confidentiality import add_names, attribution, import_names, remove_names, set_attribution
from qualcode.errors import InputError, NotFoundError, QualcodeError
from qualcode.model import AttributionTemplates, ListedName
from qualcode.safety.attribution import case_attributions
from qualcode.safety.privacy import Pseudonymiser
from qualcode.store import Project


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    p = build_project(tmp_path / "p")
    yield p
    p.close()


def test_a_new_template_changes_every_attribution_and_default_restores_it(project: Project) -> None:
    before = case_attributions(project)["KII-01"]["attributions"]
    now = set_attribution(project, coder="ana", kii="Interview with an informant from {group}", k=3)
    assert_shape(now, AttributionTemplates)
    assert (now["kii"], now["k"]) == ("Interview with an informant from {group}", 3)
    assert case_attributions(project)["KII-01"]["attributions"] == ["Interview with an informant from factories"]
    assert attribution(project) == now
    restored = set_attribution(project, coder="ana", default=True)
    assert restored["k"] == 2 and case_attributions(project)["KII-01"]["attributions"] == before


def test_a_template_that_does_not_fit_the_case_sheet_changes_nothing(project: Project) -> None:
    with pytest.raises(InputError):
        set_attribution(project, coder="ana", kii="Interview with {a rol}", k=5)
    with pytest.raises(InputError, match="k must be 1 or more"):
        set_attribution(project, coder="ana", fgd="FGD with {composition}", k=0)
    assert attribution(project)["k"] == 2  # neither call left a part of its change behind


def test_names_on_the_list_are_replaced_in_exports_and_only_shown_when_asked(project: Project) -> None:
    listed = add_names(project, ["Mr. Pham  Quoc Bao"], coder="ana", shown_as="the chamber's adviser")
    listed = add_names(project, ["Tran Thi Mai"], coder="ana")
    for entry in listed:
        assert_shape(entry, ListedName)
    assert [d["name"] for d in listed] == ["Mr. Pham Quoc Bao", "Tran Thi Mai"]
    assert Pseudonymiser(project, use_ner=False)("We asked Tran Thi Mai and Mr. Pham Quoc Bao.") == (
        "We asked [name] and [the chamber's adviser].")
    assert views.name_list(project) == [{"name": "(hidden: --show-names)", "shown_as": "[the chamber's adviser]"},
                                        {"name": "(hidden: --show-names)", "shown_as": "[name]"}]
    assert [r["name"] for r in views.name_list(project, show_names=True)] == ["Mr. Pham Quoc Bao", "Tran Thi Mai"]
    assert remove_names(project, ["tran thi mai"], coder="ana") == [
        {"name": "Mr. Pham Quoc Bao", "as": "the chamber's adviser"}]
    with pytest.raises(NotFoundError, match="not on the name list"):
        remove_names(project, ["Mr. Pham Quoc Bao", "Nobody Here"], coder="ana")
    assert len(views.name_list(project)) == 1  # the name before the unknown one stays: one transaction


def test_a_name_file_comes_in_whole_or_not_at_all(project: Project, tmp_path: Path) -> None:
    good = tmp_path / "names.csv"
    good.write_text("name,role\nTran Thi Mai,the ministry official\nLe Van Nam\n", encoding="utf-8")
    assert [(d["name"], d.get("as")) for d in import_names(project, good, coder="ana")] == [
        ("Le Van Nam", None), ("Tran Thi Mai", "the ministry official")]
    bad = tmp_path / "bad.csv"
    bad.write_text("Nguyen Hoa\n???\n", encoding="utf-8")
    with pytest.raises(QualcodeError, match="holds no name"):
        import_names(project, bad, coder="ana")
    assert [r["name"] for r in views.name_list(project, show_names=True)] == ["Le Van Nam", "Tran Thi Mai"]


def test_a_role_that_reads_like_the_rest_of_a_name_is_pointed_out_by_line(project: Project, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from qualcode.cli import main

    names = tmp_path / "names.csv"
    names.write_text("name,role\nTran Thi Mai,the ministry official\nNguyen, Lan Anh\n\"Le, Van Nam\"\n",
                     encoding="utf-8")
    found: list[int] = []
    import_names(project, names, coder="ana", name_like_roles=found)
    assert found == [3]  # 'Nguyen, Lan Anh' would show as [Lan Anh]; a quoted 'Last, First' is one name
    folder = Path(project.path)
    project.close()
    assert main(["names", "import", str(names), "-p", str(folder)]) == 0
    err = capsys.readouterr().err
    assert "line(s) 3 reads like part of a name" in err and "Nguyen" not in err and "Lan Anh" not in err
