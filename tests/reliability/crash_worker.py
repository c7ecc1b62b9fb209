"""A coder that never stops: run by the crash and concurrency tests as a separate process.

    python crash_worker.py PROJECT_DIR CODER SEED [LIMIT]

Prints ``READY`` once the project is open. Before each action it prints what it is about to do (``TRY ...``) and,
once the action is committed, ``OK`` (with the new coding id for an add). So the test knows exactly which actions
were acknowledged and which single action may have been in flight when the process was killed:

    TRY ADD <segment> <code>      then  OK <coding id>
    TRY REMOVE <coding id>        then  OK
    TRY MEMO <segment> <n>        then  OK       (the memo text is "<coder> note <n>")
    TRY BATCH <tag> <k>           then  OK <ids> (k codings added in one transaction, each with memo <tag>)
"""

from __future__ import annotations

import random
import sys

from qualcode.store import Project


def main() -> int:
    path, coder, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else 10**9
    rng = random.Random(seed)
    project = Project.open(path)
    segments = [s["id"] for s in project.segments()]
    codes = [c["id"] for c in project.code_rows()]
    mine = [c["id"] for c in project.codings(coder=coder)]
    taken = {(c["segment"], c["code"]) for c in project.codings(coder=coder)}
    out = sys.stdout

    def say(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    say("READY")
    for n in range(limit):
        roll = rng.random()
        if roll < 0.6 or not mine:
            free = [(s, c) for s, c in ((rng.choice(segments), rng.choice(codes)) for _ in range(20))
                    if (s, c) not in taken]
            if not free:
                continue
            seg, code = free[0]
            say(f"TRY ADD {seg} {code}")
            cid = project.add_coding(seg, code, coder=coder)["id"]
            taken.add((seg, code))
            mine.append(cid)
            say(f"OK {cid}")
        elif roll < 0.75:
            cid = mine.pop(rng.randrange(len(mine)))
            say(f"TRY REMOVE {cid}")
            removed = project.remove_coding(cid, coder=coder)
            taken.discard((removed["segment"], removed["code"]))
            say("OK")
        elif roll < 0.9:
            seg, k = rng.choice(segments), rng.randrange(10**6)
            say(f"TRY MEMO {seg} {k}")
            project.set_memo("segment", str(seg), f"{coder} note {k}", coder=coder)
            say("OK")
        else:
            tag = f"{coder}-{seed}-{n}"
            targets = [s for s in rng.sample(segments, 12) if (s, codes[0]) not in taken]
            say(f"TRY BATCH {tag} {len(targets)}")
            added = []
            with project.transaction():  # one user action coding many units at once (like an import)
                for seg in targets:
                    added.append(project.add_coding(seg, codes[0], coder=coder, memo=tag)["id"])
            mine.extend(added)
            taken.update((seg, codes[0]) for seg in targets)
            say("OK " + " ".join(map(str, added)))
    project.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
