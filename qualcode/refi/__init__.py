"""REFI-QDA exchange: the codebook as ``.qdc`` and the whole project as ``.qdpx``, both ways.

What the files hold and where other tools differ is summarised in README.md (section "Teams"). In short:

* offsets are Unicode code points from 0, end-exclusive, on the exact UTF-8 text (no byte-order mark, LF) shipped
  in ``sources/``; transcripts are shipped with their speaker labels so other tools show who speaks;
* GUIDs are upper case and derived from stable keys (code id, coder name, transcript text), so exporting twice gives
  the same GUIDs and a colleague's copy of the same codebook matches code by code;
* code names are made unique (other tools merge duplicate names and lose their codings);
* a ``qualcode.json`` member carries what REFI-QDA has no place for (coding units, speakers, the full codebook), so
  a qualcode project survives the round trip exactly; other tools ignore it.
"""

from __future__ import annotations

from qualcode.refi.export import default_path, export_qdc, export_qdpx, export_refi
from qualcode.refi.imports import import_refi, read_qdc

__all__ = ["default_path", "export_qdc", "export_qdpx", "export_refi", "import_refi", "read_qdc"]
