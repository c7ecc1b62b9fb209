"""One YAML loader for every YAML qualcode reads: codebooks, findings, transcript front matter, triangulation rules.

Safe types only (``!!python`` tags are refused), a size cap, a nesting cap, and aliases (``*name``) either refused
outright (everything but codebooks: qualcode never writes them there) or allowed only while what they expand to
stays within a few times the file's own size, so a few hundred bytes cannot expand to gigabytes. The checks run on
the event stream before any node is built; dumping never writes aliases.
"""

from __future__ import annotations

from typing import Any, Literal

from qualcode.errors import InputError
from qualcode.safeio.limits import human_size, limits

Aliases = Literal["refuse", "bounded"]


class YamlError(InputError):
    """YAML that cannot or may not be read. ``reason`` is the message without the file name, ``line`` 1-based."""

    def __init__(self, reason: str, *, path: str | None, line: int | None, hint: str | None = None) -> None:
        self.reason = reason
        self.line_no = line
        super().__init__(reason, path=path, line=line, hint=hint)


def _loader() -> Any:
    import yaml

    # libyaml when PyYAML was built with it: ten times faster than the pure-Python parser on a codebook
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


def _check_events(text: str, name: str, aliases: Aliases) -> None:
    """Depth and alias expansion, from the parser's events (no nodes built yet)."""
    import yaml

    bound = limits()
    max_weight = max(4 * len(text), 100_000)
    weights: dict[str, int] = {}
    stack: list[list[Any]] = []  # [anchor, weight so far] per open collection
    for event in yaml.parse(text, Loader=_loader()):
        if isinstance(event, yaml.AliasEvent):
            if aliases == "refuse":
                raise YamlError(f"uses a YAML alias (*{event.anchor}), which qualcode does not read here; write the "
                                "value out instead", path=name, line=_line(event.start_mark))
            w = weights.get(event.anchor, 1)  # an alias of a collection still open (a cycle) counts once
        elif isinstance(event, yaml.ScalarEvent):
            w = 1 + len(event.value)
            if event.anchor:
                weights[event.anchor] = w
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            stack.append([event.anchor, 1])
            if len(stack) > bound.max_yaml_depth:
                raise YamlError(f"nests lists and mappings more than {bound.max_yaml_depth} levels deep", path=name,
                                line=_line(event.start_mark))
            continue
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, w = stack.pop()
            if anchor:
                weights[anchor] = w
        else:
            continue
        if stack:
            stack[-1][1] += w
            w = stack[-1][1]
        if w > max_weight:
            raise YamlError("its aliases (*name) expand to far more than the file itself, as YAML bombs do; write "
                            "the values out instead", path=name, line=_line(event.start_mark))


def _run(text: str, name: str, aliases: Aliases, action: str) -> Any:
    import yaml

    size = len(text.encode("utf-8", "surrogatepass"))
    cap = limits().max_yaml
    if size > cap:
        raise YamlError(f"is {human_size(size)} of YAML; qualcode reads at most {human_size(cap)}", path=name,
                        line=None)
    try:
        _check_events(text, name, aliases)
        if action == "compose":
            return yaml.compose(text, Loader=_loader())
        return yaml.load(text, Loader=_loader())  # noqa: S506 - a safe loader
    except YamlError:
        raise
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
        reason = " ".join(str(getattr(err, "problem", None) or str(err).splitlines()[0]).split())
        if isinstance(err, yaml.constructor.ConstructorError) and "tag" in reason:
            reason += " (qualcode reads plain YAML: texts, numbers, lists and mappings)"
        raise YamlError(f"is not valid YAML: {reason}", path=name, line=_line(mark)) from None
    except RecursionError:
        raise YamlError("nests too deeply to read", path=name, line=None) from None


def load(text: str, name: str, *, aliases: Aliases = "refuse") -> Any:
    """Python data (dicts, lists, strings, numbers, dates) from YAML text, or YamlError naming ``name``."""
    return _run(text, name, aliases, "load")


def compose(text: str, name: str, *, aliases: Aliases = "refuse") -> Any:
    """The YAML node graph (with line marks), for readers that report problems by line; None for an empty text."""
    return _run(text, name, aliases, "compose")


def dump(data: Any, *, width: int = 100) -> str:
    """YAML text for plain data, never with anchors and aliases (which qualcode's own readers refuse)."""
    import yaml

    class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    return yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=width)
