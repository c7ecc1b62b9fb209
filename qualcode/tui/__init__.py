"""The coding workbench (Textual). Only this package and qualcode.cli import Textual."""

from __future__ import annotations

from qualcode.tui.app import QualcodeApp, make_app

__all__ = ["QualcodeApp", "make_app"]
