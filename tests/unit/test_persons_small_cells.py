"""The persons-consulted annex withholds each count by sex that describes fewer than k persons, and every count from
which a withheld one could be worked out, as a reader would try: from a row's total, from a group's subtotal and
from the grand total."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from reliability.builders import codebook

from qualcode.exports.annexes import _by_method_text, _persons_table, export_persons, persons_summary
from qualcode.store import Project

# (group, organisation, women, men)
SMALL = [("ILO staff", "ILO Country Office", 1, 1),
         ("Factory", "Factory A", 3, 2), ("Factory", "Factory B", 2, 2),
         ("Government", "Ministry", 3, 3)]


def _project(path: Path, rows: list[tuple[str, str, int, int]]) -> Project:
    project = Project.create(path, codebook=codebook())
    n = 0
    for group, org, women, men in rows:
        for sex, count in (("F", women), ("M", men)):
            for _ in range(count):
                n += 1
                project.upsert_case(f"KII-{n:02d}", None, {"type": "KII", "stakeholder_group": group,
                                                          "organisation": org, "sex": sex}, coder="ana")
    return project


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Project]:
    project = _project(tmp_path / "p", SMALL)
    yield project
    project.close()


def _rows(summary: dict[str, Any]) -> dict[str, list[Any]]:
    header, rows = _persons_table(summary)
    return {r[1] or r[0]: r[2:2 + len(summary["sexes"])] for r in rows}


def test_two_staff_of_one_organisation_are_not_split_into_one_woman_and_one_man(small: Project,
                                                                               tmp_path: Path) -> None:
    table = _rows(persons_summary(small))
    assert table["ILO Country Office"] == ["–", "–"]  # a row of two persons, each alone in their cell
    assert table["Total"] == [9, 8] and table["All Factory"] == [5, 4] and table["Factory A"] == [3, 2]
    # shown beside the total, the Ministry's 3 and 3 would give ILO's 1 and 1 back: the smallest other group goes too
    assert table["Ministry"] == ["–", "–"]
    export_persons(small, tmp_path / "p.csv")
    assert "ILO staff,ILO Country Office,–,–,2,2" in (tmp_path / "p.csv").read_text(encoding="utf-8-sig")
    small.set_setting("attribution_k", "1", coder="ana")
    assert _rows(persons_summary(small))["ILO Country Office"] == [1, 1]
    assert _rows(persons_summary(small, show_names=True))["ILO Country Office"] == [1, 1]


def _worked_out(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """The withheld cells a reader can compute from the shown ones: each cell of the table is a variable, each sum
    the table implies (a row's cells to its total, organisations to their group's subtotal, groups to the grand
    total) an equation; a withheld cell is known when it is a combination of the equations (linear algebra)."""
    sexes = summary["sexes"]
    rows: list[tuple[str, dict[str, Any]]] = []
    sums: list[tuple[list[tuple[int, str]], tuple[int, str] | None, int | None]] = []
    for g in summary["groups"]:
        orgs = g["organisations"]
        if len(orgs) == 1:  # printed once: the organisation's row is the group's
            rows.append((g["group"], orgs[0]))
            continue
        first = len(rows)
        rows += [(o["organisation"], o) for o in orgs]
        rows.append((f"All {g['group']}", g))
        sums += [([(first + i, s) for i in range(len(orgs))], (len(rows) - 1, s), None) for s in sexes]
    groups = [n for n, (name, _) in enumerate(rows) if name in {g["group"] for g in summary["groups"]}
              or name.startswith("All ")]
    rows.append(("Total", summary["total"]))
    sums += [([(n, s) for n in groups], (len(rows) - 1, s), None) for s in sexes]
    sums += [([(n, s) for s in sexes], None, r["total"]) for n, (_, r) in enumerate(rows)]
    hidden = [(n, s) for n, (_, r) in enumerate(rows) for s in sexes if s in (r.get("withheld_sexes") or ())]
    at = {c: i for i, c in enumerate(hidden)}
    equations = []
    for cells, whole, _total in sums:
        vector = np.zeros(len(hidden))
        for c in cells:
            if c in at:
                vector[at[c]] += 1
        if whole is not None and whole in at:
            vector[at[whole]] -= 1
        if vector.any():
            equations.append(vector)
    if not equations:
        return [(rows[n][0], s) for n, s in hidden]
    a = np.array(equations)
    rank = np.linalg.matrix_rank(a)
    return [(rows[n][0], s) for (n, s), i in at.items()
            if np.linalg.matrix_rank(np.vstack([a, np.eye(len(hidden))[i]])) == rank]


@pytest.mark.parametrize("rows", [
    SMALL,
    [("ILO staff", "ILO", 1, 1), ("Factory", "A", 3, 2), ("Factory", "B", 2, 2)],  # a subtotal from its parts
    [("Donor", "EU", 1, 0), ("Factory", "A", 5, 4), ("Factory", "B", 1, 3), ("Union", "U", 2, 2),
     ("Union", "V", 4, 1)],
    [("Donor", "EU", 1, 0), ("Government", "Ministry", 0, 1)],  # everything small: only the totals remain
])
def test_no_withheld_count_can_be_worked_out_from_the_shown_ones(tmp_path: Path,
                                                                 rows: list[tuple[str, str, int, int]]) -> None:
    project = _project(tmp_path / "p", rows)
    try:
        summary = persons_summary(project)
    finally:
        project.close()
    cells = [c for r in _rows(summary).values() for c in r]
    assert "–" in cells
    assert all(c == "–" or c == 0 or c >= 2 for c in cells)  # no count of one person is shown
    assert _worked_out(summary) == []
    assert summary["total"]["total"] == sum(w + m for *_, w, m in rows)  # everyone still counts


def test_the_sentence_by_method_gives_no_small_count(small: Project) -> None:
    # KII: 9 women, 8 men is safe; add one focus-group participant and "FGD: 1 woman" would name her
    small.upsert_case("FGD-01-P1", None, {"type": "FGD", "stakeholder_group": "Factory", "organisation": "Factory A",
                                          "sex": "F"}, coder="ana")
    text = _by_method_text(persons_summary(small))
    assert "FGD: 1 person" in text and "1 woman" not in text and "KII: 17 persons" in text
