"""Checking and rendering user-written templates in Jinja2's immutable sandbox.

A template is first parsed and its syntax tree checked against a whitelist: merge fields
(``contact.first_name``), literals, ``~`` concatenation, ``if``/``else`` and a few harmless
filters. Anything else (attribute access on literals, calls, ``|attr``, imports, includes,
loops, arithmetic) is refused at check time and never executed. Rendering then runs in the
sandbox with :class:`~jinja2.StrictUndefined` and a bound on output size and time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIELDS: dict[str, tuple[str, ...]] = {
    "contact": ("first_name", "last_name", "full_name", "email"),
    "prospect": ("domain", "page_url", "page_title"),
    "campaign": ("name", "site_domain"),
    "competitor": ("domain", "link_url"),
    "broken_link": ("url",),
    "our": ("page_url", "site"),
    "sender": ("name", "email"),
}
ALLOWED_FILTERS = frozenset(
    {"default", "d", "upper", "lower", "title", "capitalize", "trim", "truncate"}
)
DEFAULT_FILTERS = frozenset({"default", "d"})
MAX_SOURCE = 20_000
MAX_OUTPUT = 50_000
MAX_CONST = 1_000
RENDER_SECONDS = 1.0
_ALLOWED_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Const,
    nodes.Name,
    nodes.Getattr,
    nodes.Filter,
    nodes.If,
    nodes.CondExpr,
    nodes.Concat,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Test,
    nodes.Compare,
    nodes.Operand,
    nodes.Keyword,
)
_ALLOWED_TESTS = frozenset({"defined", "undefined", "none"})


@dataclass
class Problem:
    """One reason a template is refused, with its line (1-based) in the checked text."""

    line: int
    message: str


@dataclass
class Check:
    """The outcome of checking one template text: merge fields used and problems found."""

    fields: set[str] = field(default_factory=set)
    required: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was refused."""
        return not self.problems


class TemplateRefused(ValueError):
    """A template that failed the checks; ``problems`` says why, line by line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.message}" for p in problems))
        self.problems = problems


class RenderError(ValueError):
    """A checked template that could not be rendered for one context (a missing field...)."""


class _Sandbox(ImmutableSandboxedEnvironment):
    """No attribute of any object is reachable: merge fields are looked up as dict keys."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Refuse every real attribute; dict items are still reachable."""
        return False

    def is_safe_callable(self, obj: Any) -> bool:
        """Nothing may be called."""
        return False


ENV = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
ENV.globals.clear()  # no lipsum, cycler, joiner, namespace, range or dict at render time either


def _field_name(node: nodes.Getattr) -> str | None:
    if isinstance(node.node, nodes.Name):
        return f"{node.node.name}.{node.attr}"
    return None


def _walk(node: nodes.Node, check: Check, defaulted: bool = False) -> None:
    line = getattr(node, "lineno", 1) or 1
    if not isinstance(node, _ALLOWED_NODES):
        what = type(node).__name__.lower()
        check.problems.append(Problem(line, f"{what} is not allowed in a pitch template"))
        return
    if isinstance(node, nodes.Name):
        if node.name not in FIELDS:
            # Jinja's globals (lipsum, cycler, joiner, namespace, range, dict) and ``self``
            # are not "undeclared", so find_undeclared_variables never reports them.
            check.problems.append(Problem(line, f"unknown merge field {node.name!r}"))
            return
        check.problems.append(
            Problem(line, f"{node.name!r} alone is not a merge field; use e.g. contact.first_name")
        )
        return
    if isinstance(node, nodes.Getattr):
        _check_field(node, check, defaulted, line)
        return
    if isinstance(node, nodes.Const):
        value = node.value
        if not isinstance(value, str | int | bool | None) or (
            isinstance(value, str) and len(value) > MAX_CONST
        ):
            check.problems.append(Problem(line, "only short text and number literals are allowed"))
        return
    if isinstance(node, nodes.Filter):
        if node.name not in ALLOWED_FILTERS:
            allowed = ", ".join(sorted(ALLOWED_FILTERS))
            check.problems.append(Problem(line, f"filter {node.name!r} is not allowed ({allowed})"))
            return
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            check.problems.append(Problem(line, "filter arguments must be literals"))
            return
        for arg in [*node.args, *(k.value for k in node.kwargs)]:
            if not isinstance(arg, nodes.Const):
                check.problems.append(Problem(line, "filter arguments must be literals"))
                return
            _walk(arg, check)
        if node.node is not None:
            _walk(node.node, check, defaulted or node.name in DEFAULT_FILTERS)
        return
    if isinstance(node, nodes.Test) and node.name not in _ALLOWED_TESTS:
        check.problems.append(Problem(line, f"test {node.name!r} is not allowed"))
        return
    guarded = defaulted or isinstance(node, nodes.Test)
    for child in node.iter_child_nodes():
        _walk(child, check, guarded)


def _check_field(node: nodes.Getattr, check: Check, defaulted: bool, line: int) -> None:
    name = _field_name(node)
    if name is None:
        check.problems.append(
            Problem(line, f"attribute access {node.attr!r} is not allowed; use merge fields only")
        )
        return
    root, attr = name.split(".", 1)
    if root not in FIELDS:
        check.problems.append(Problem(line, f"unknown merge field {name!r}"))
    elif attr not in FIELDS[root]:
        known = ", ".join(f"{root}.{a}" for a in FIELDS[root])
        check.problems.append(Problem(line, f"unknown merge field {name!r} (known: {known})"))
    else:
        check.fields.add(name)
        if not defaulted:
            check.required.add(name)


def check_text(source: str, first_line: int = 1) -> Check:
    """Check one template text (a subject or a body) without executing it."""
    check = Check()
    if len(source) > MAX_SOURCE:
        check.problems.append(Problem(1, f"longer than {MAX_SOURCE} characters"))
    else:
        try:
            tree = ENV.parse(source)
        except TemplateSyntaxError as exc:
            check.problems.append(Problem(exc.lineno or 1, exc.message or "syntax error"))
        else:
            _walk(tree, check)
    for problem in check.problems:
        problem.line += first_line - 1
    check.problems.sort(key=lambda p: p.line)
    return check


def check_pitch(subject: str, body: str) -> Check:
    """Check a subject (line 1) and body (from line 2), as ``flask template check`` reads them."""
    result = check_text(subject, 1)
    if "\n" in subject or "\r" in subject:
        result.problems.append(Problem(1, "the subject must be a single line (no CR or LF)"))
    body_check = check_text(body, 2)
    result.fields |= body_check.fields
    result.required |= body_check.required
    result.problems.extend(body_check.problems)
    return result


def missing_fields(check: Check, context: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Fields the template needs without a default that are empty in this context."""
    missing = []
    for name in sorted(check.required):
        root, attr = name.split(".", 1)
        if not (context.get(root) or {}).get(attr, "").strip():
            missing.append(name)
    return missing


def _bounded(chunks: Iterator[str]) -> str:
    out: list[str] = []
    size = 0
    deadline = time.monotonic() + RENDER_SECONDS
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise RenderError(f"the rendered text is longer than {MAX_OUTPUT} characters")
        if time.monotonic() > deadline:
            raise RenderError("rendering took too long")
        out.append(chunk)
    return "".join(out)


def render(source: str, context: Mapping[str, Mapping[str, str]]) -> str:
    """Render a template that passed :func:`check_text`; empty fields count as missing."""
    result = check_text(source)
    if not result.ok:
        raise TemplateRefused(result.problems)
    present = {
        root: {k: v for k, v in (context.get(root) or {}).items() if v and v.strip()}
        for root in FIELDS
    }
    try:
        return _bounded(ENV.from_string(source).generate(present))
    except RenderError:
        raise
    except Exception as exc:  # StrictUndefined, SecurityError: shown to the person
        raise RenderError(str(exc)) from exc
