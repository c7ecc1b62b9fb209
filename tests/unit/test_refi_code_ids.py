"""Codes from another tool get ids made from their names: accents folded, letters with no ASCII form left out."""

from __future__ import annotations

from pathlib import Path

from qualcode.refi import read_qdc


def test_other_tools_code_names_become_ascii_ids(tmp_path: Path) -> None:
    names = ["Đào tạo nghề", "Søren's Straße", "Ⓐ 日本 ₨ 5", "日本語", "Đào tạo nghề"]
    codes = "".join(
        f'<Code guid="C0DE0000-0000-4000-8000-00000000000{i}" name="{n}" isCodable="true"/>'
        for i, n in enumerate(names)
    )
    qdc = tmp_path / "theirs.qdc"
    qdc.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
        f"{codes}</Codes></CodeBook>",
        encoding="utf-8",
    )
    cb = read_qdc(qdc)
    assert [c.id for c in cb.roots] == ["dao_tao_nghe", "sren_s_strae", "a_rs_5", "code", "dao_tao_nghe_2"]
    assert [c.name for c in cb.roots] == names
