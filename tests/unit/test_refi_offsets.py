"""One offset map serves the REFI writer and reader: a unit's shipped range holds exactly the unit's text."""

from __future__ import annotations

from qualcode.refi.common import ShippedOffsets

STORED = "Chị thấy thế nào?\n\nKhóa học rất tốt 👍 cho công nhân. We need more of it."
UNITS = [(0, 17), (19, 52), (53, 72)]
LABELS = [(0, "Interviewer: "), (19, "Ms Thu: ")]


def _ship(stored: str, labels: list[tuple[int, str]]) -> str:
    out, pos = [], 0
    for at, prefix in sorted(labels):
        out += [stored[pos:at], prefix]
        pos = at
    return "".join(out) + stored[pos:]


def test_each_unit_keeps_its_text_and_the_label_stays_outside_it() -> None:
    shipped, to_shipped = _ship(STORED, LABELS), ShippedOffsets(LABELS)
    assert [shipped[to_shipped(a) : to_shipped(b, end=True)] for a, b in UNITS] == [STORED[a:b] for a, b in UNITS]
    # the first unit of a turn starts after its label; the unit before ends before it
    assert shipped[: to_shipped(19)].endswith("\n\nMs Thu: ")
    assert to_shipped(19, end=True) == 19 + len("Interviewer: ")


def test_the_order_labels_come_in_does_not_matter() -> None:
    forward, backward = ShippedOffsets(LABELS), ShippedOffsets([list(x) for x in reversed(LABELS)])
    assert [forward(p, end=e) for p in range(len(STORED) + 1) for e in (False, True)] == [
        backward(p, end=e) for p in range(len(STORED) + 1) for e in (False, True)
    ]
