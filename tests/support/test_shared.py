"""The shared-corpus helper: tests run from a fresh clone, and CI never loses them silently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import shared

TESTS = Path(__file__).resolve().parents[1]


def test_a_missing_corpus_skips_with_the_reason_outside_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(shared, "SHARED", tmp_path / "no-shared")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="no-shared/corpus/web-pages is missing"):
        shared.require_shared("corpus", "web-pages")
    assert shared.shared_dir("corpus") is None


def test_a_missing_corpus_fails_under_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(shared, "SHARED", tmp_path / "no-shared")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must have it"):
        shared.require_shared("corpus", "web-pages")


def test_a_present_corpus_is_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "corpus" / "misc").mkdir(parents=True)
    monkeypatch.setattr(shared, "SHARED", tmp_path)
    assert shared.require_shared("corpus", "misc") == tmp_path / "corpus" / "misc"


def test_no_test_reads_the_shared_corpus_except_through_the_helper() -> None:
    reaches = re.compile(r"""["']shared["']\s*\)?\s*/|/\s*["']shared["']""")
    allowed = {"support/shared.py", "conftest.py"}  # conftest's unused SHARED: issue 16
    offenders = [
        path.relative_to(TESTS).as_posix()
        for path in TESTS.rglob("*.py")
        if reaches.search(path.read_text())
    ]
    assert set(offenders) <= allowed, offenders
