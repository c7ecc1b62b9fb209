"""The input-safety layer: every file qualcode reads and every text it shows or exports goes through here.

- :mod:`~qualcode.safeio.limits`: the bounds (file size, unit length, archive sizes, nesting depths);
- :mod:`~qualcode.safeio.files`: reading a user's file within the size bound (no pipes or devices);
- :mod:`~qualcode.safeio.output`: writing every output whole or not at all, never over a file unasked;
- :mod:`~qualcode.safeio.archive`: ZIP entries by normalised name only, with size, count and ratio limits;
- :mod:`~qualcode.safeio.xml`: one hardened XML parser (no DTD, no entities, no network, depth bounded);
- :mod:`~qualcode.safeio.yaml`: one safe YAML loader (no aliases that expand, size and depth capped);
- :mod:`~qualcode.safeio.cleaning`: control and non-characters removed (and reported), long units split;
- :mod:`~qualcode.safeio.escaping`: CSV cells that cannot become formulas, Markdown without HTML, terminal output
  without escape sequences;
- :mod:`~qualcode.safeio.pdf`: PDF streams inflated within the archive bounds;
- :mod:`~qualcode.safeio.database`: a colleague's project or a backup opened only with qualcode's own schema.

Each refusal is an :class:`~qualcode.errors.InputError`: one line naming the file and what to do.
The modules import nothing heavy at import time.
"""

from __future__ import annotations

from qualcode.safeio.limits import Limits, limits

__all__ = ["Limits", "limits"]
