"""``qualcode suggest`` and ``qualcode queue``: code suggestions, their provenance, and what to code next."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from qualcode.cli._common import (
    Commands,
    coder_option,
    command,
    emit,
    json_option,
    open_project,
    progress_option,
    table,
    unit_names_option,
)
from qualcode.errors import InputError


def register(commands: Commands) -> None:
    p = command(commands, "suggest", _suggest,
                help="suggest codes for uncoded units (in a project, or standalone from JSONL files)",
                description="In a project: suggest codes for the uncoded informant units, learning from the team's "
                "codings and decisions. Standalone (no project): --codebook CB.yaml --segments IN.jsonl "
                "[--train TRAIN.jsonl] prints one JSON line per unit. Use 'suggest accept' / 'suggest reject' "
                "to act on a suggestion.", options=[unit_names_option, progress_option, json_option])
    p.add_argument("--transcript", metavar="ID", help="only units of this transcript")
    p.add_argument("--segment", metavar="ID", help="only this segment (id or TRANSCRIPT:N), coded or not")
    p.add_argument("--top", type=_positive, default=3, metavar="K", help="suggestions per unit (default 3)")
    p.add_argument("--min-score", type=float, default=0.0, metavar="S",
                   help="leave out suggestions scoring below S (scores are 0-1)")
    p.add_argument("--codebook", metavar="CB.yaml", help="standalone: the codebook file")
    p.add_argument("--segments", metavar="IN.jsonl",
                   help='standalone: units, one {"id", "text"} per line (optionally "question": what the '
                   "interviewer asked before it, used as context)")
    p.add_argument("--train", metavar="TRAIN.jsonl",
                   help='standalone: coded units, one {"id", "text", "codes": [...]} per line')
    p.add_argument("--no-why", action="store_true", help="standalone: leave explanations out (faster)")
    actions = p.add_subparsers(dest="action", required=False)
    for name, handler, helptext in (
            ("accept", _accept, "apply a suggested code; the coding records it came from a suggestion"),
            ("reject", _reject, "record that a suggested code does not apply (used as a negative example)")):
        q = command(actions, name, handler, help=helptext, options=[coder_option, json_option])
        q.add_argument("--segment", metavar="ID", required=True, help="segment id or TRANSCRIPT:N")
        q.add_argument("--code", metavar="ID", required=True, help="the suggested code's id")
        q.add_argument("--score", type=float, help="the score shown (default: recomputed now)")
        q.add_argument("--model-version", metavar="V", help="the model version shown (default: the current one)")

    p = command(commands, "queue", _queue, help="uncoded units ordered most informative first, with the reason",
                description="Order the uncoded informant units so that coding them teaches the "
                "suggestions most: uncertain units and likely-relevant units of little-coded codes first.",
                options=[unit_names_option, json_option])
    p.add_argument("--transcript", metavar="ID", help="only units of this transcript")
    p.add_argument("--limit", type=_positive, default=20, metavar="N", help="how many units (default 20)")


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


def _suggest(args: argparse.Namespace) -> int:
    if args.codebook or args.segments or args.train:
        return _standalone(args)
    from qualcode.actions.views import unit_suggestions
    from qualcode.cli.progress import progress_for

    project = open_project(args)
    with progress_for(args) as progress:
        data = unit_suggestions(project, transcript=args.transcript, segment=args.segment, top=args.top,
                                min_score=args.min_score, progress=progress, show_names=args.show_names)

    def human(rows: list[dict[str, Any]]) -> None:
        if not rows:
            print("No uncoded informant units.")
            return
        for r in rows:
            who = r["speaker"] or "-"
            print(f"{r['ref']}  {who if who.startswith('[') else f'[{who}]'} {_short(r['text'], 100)}")
            for s in r["suggestions"]:
                print(f"    {s['score']:.2f}  {s['code']}  ({s['criterion']})  {s['why']}")
        print(f"model {rows[0]['model_version']}")

    return emit(args, data, human)


def _standalone(args: argparse.Namespace) -> int:
    if not args.codebook or not args.segments:
        raise InputError("standalone suggestions need both --codebook and --segments",
                         hint="or run inside a project folder without them")
    from qualcode.codebook import load_codebook
    from qualcode.nlp.standalone import examples_from_rows, read_jsonl, suggest_standalone

    codebook = load_codebook(args.codebook)
    segments = read_jsonl(args.segments)
    train_rows = read_jsonl(args.train, need_codes=True) if args.train else []
    train = examples_from_rows(train_rows, codebook, args.train) if args.train else []
    rows = suggest_standalone(codebook, segments, train, top=args.top, min_score=args.min_score,
                              explain=not args.no_why, train_questions=[r["question"] for r in train_rows])
    out = sys.stdout
    if args.json:
        for r in rows:
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
        return 0
    for seg, r in zip(segments, rows, strict=True):
        out.write(f"{r['id']}  {_short(seg['text'], 100)}\n")
        for s in r["suggestions"]:
            out.write(f"    {s['score']:.2f}  {s['code']}  ({s['criterion']})  {s['why']}\n")
    return 0


def _accept(args: argparse.Namespace) -> int:
    from qualcode.actions.coding import accept_suggestion

    project = open_project(args)
    coding = accept_suggestion(project, args.segment, args.code, coder=args.coder, score=args.score,
                               model_version=args.model_version)
    return emit(args, coding, lambda c: print(
        f"coded segment {c['segment']} with {c['code']} (from suggestion, score "
        f"{'-' if c['score'] is None else format(c['score'], '.2f')}, model {c['model_version']})"))


def _reject(args: argparse.Namespace) -> int:
    from qualcode.actions.coding import reject_suggestion

    project = open_project(args)
    decision = reject_suggestion(project, args.segment, args.code, coder=args.coder, score=args.score,
                                 model_version=args.model_version)
    return emit(args, decision, lambda d: print(
        f"recorded: {d['code']} rejected for segment {d['segment']} (model {d['model_version']})"))


def _queue(args: argparse.Namespace) -> int:
    from qualcode.actions.views import informative_queue

    project = open_project(args)
    data = informative_queue(project, transcript=args.transcript, limit=args.limit, show_names=args.show_names)
    return emit(args, data, lambda rows: table(
        [{**r, "text": r["text"]} for r in rows], ["ref", "priority", "reason", "text"], widths={"text": 60}))


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "\u2026"
