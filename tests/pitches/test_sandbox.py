"""The template sandbox refuses escapes at check time and flags unknown or empty fields."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jinja2 import UndefinedError

from outreach.pitches import sandbox
from outreach.pitches.cli import check as check_command

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ contact.first_name.__class__ }}",
    "{{ contact | attr('__class__') }}",
    "{{ '{0.__class__}'.format(contact) }}",
    "{{ 'x'.format_map(contact) }}",
    "{% import 'base.html' as b %}",
    "{% include 'base.html' %}",
    "{% extends 'base.html' %}",
    "{% for i in range(10**9) %}x{% endfor %}",
    "{{ range(10**9) | list }}",
    "{{ 'a' * 100000000 }}",
    "{{ lipsum(10**6) }}",
    "{% set x = contact %}{{ x }}",
    "{{ contact['first_name'] }}",
    "{% macro m() %}{% endmacro %}",
    "{{ self._TemplateReference__context }}",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_escape_attempts_are_refused_at_check_time(source: str) -> None:
    result = sandbox.check_text(source)
    assert not result.ok
    with pytest.raises(sandbox.TemplateRefused):
        sandbox.render(source, {"contact": {"first_name": "Ada"}})


BARE_GLOBALS = ["lipsum", "cycler", "joiner", "namespace", "self", "range", "dict"]


@pytest.mark.parametrize("name", BARE_GLOBALS)
@pytest.mark.parametrize(
    "shape",
    [
        "{{ NAME }}",
        "{{ NAME | d('') }}",
        "{{ NAME | upper }}",
        "{% if NAME %}yes{% endif %}",
        "{% if NAME is defined %}yes{% endif %}",
        "line one\n{{ NAME.x }}",
    ],
)
def test_jinja_globals_and_self_as_bare_names_are_refused(name: str, shape: str) -> None:
    source = shape.replace("NAME", name)
    result = sandbox.check_text(source)
    assert not result.ok, source
    assert all(p.line == source.count("\n") + 1 for p in result.problems)
    assert any(name in p.message for p in result.problems)
    with pytest.raises(sandbox.TemplateRefused):
        sandbox.render(source, {})


@pytest.mark.parametrize("name", [n for n in BARE_GLOBALS if n != "self"])
def test_the_render_environment_has_no_globals_to_leak(name: str) -> None:
    assert name not in sandbox.ENV.globals
    with pytest.raises(UndefinedError):  # straight to the environment, past the check
        sandbox.ENV.from_string("{{ NAME }}".replace("NAME", name)).render()


def test_merge_fields_with_defaults_render_from_plain_strings() -> None:
    source = "Hi {{ contact.first_name | default('there') }}, about {{ prospect.domain | upper }}"
    context = {"contact": {"first_name": ""}, "prospect": {"domain": "trail.example"}}
    assert sandbox.render(source, context) == "Hi there, about TRAIL.EXAMPLE"


def test_unknown_merge_field_is_an_error_with_its_line() -> None:
    result = sandbox.check_pitch("Hello", "line two\n{{ contact.nickname }}")
    assert [(p.line, "contact.nickname" in p.message) for p in result.problems] == [(3, True)]


def test_field_without_default_that_is_empty_is_reported_missing() -> None:
    result = sandbox.check_pitch("Hi {{ contact.first_name }}", "{{ prospect.page_title | d('') }}")
    assert result.required == {"contact.first_name"}
    assert sandbox.missing_fields(result, {"contact": {"first_name": " "}}) == [
        "contact.first_name"
    ]
    assert sandbox.missing_fields(result, {"contact": {"first_name": "Ada"}}) == []


def test_render_never_outputs_a_blank_for_a_missing_field() -> None:
    with pytest.raises(sandbox.RenderError):
        sandbox.render("Hi {{ contact.first_name }}", {"contact": {"first_name": ""}})


def test_cli_check_prints_json_and_exits_non_zero_when_refused(runner: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("Hi {{ contact.first_name }}\nBody\n{{ ''.__class__ }}\n")
    result = runner.invoke(check_command, [str(bad), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.output)
    assert payload["ok"] is False
    assert payload["fields"] == ["contact.first_name"]
    assert payload["errors"][0]["line"] == 3


def test_cli_check_accepts_a_clean_template(runner: Any, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Re: {{ prospect.domain }}\nHi {{ contact.first_name | default('there') }}\n")
    result = runner.invoke(check_command, [str(good), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "ok": True,
        "fields": ["contact.first_name", "prospect.domain"],
        "errors": [],
    }
