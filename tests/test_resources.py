"""Where the app finds its templates, static files, migrations and instance folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flask import Flask

from outreach import resources
from outreach.config import instance_path_from_env
from outreach.resources import CHECKOUT_ROOT, default_instance_path, resource_dir


def test_a_checkout_runs_with_its_top_level_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OUTREACH_INSTANCE_PATH", raising=False)
    assert not resources.installed()
    for name in ("templates", "static", "migrations"):
        assert resource_dir(name) == CHECKOUT_ROOT / name
        assert resource_dir(name).is_dir()
    assert instance_path_from_env() == CHECKOUT_ROOT / "instance"


def test_an_installed_package_uses_its_own_copies_and_an_instance_in_its_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "templates").mkdir()  # what the wheel lays out inside the package
    monkeypatch.setattr(resources, "PACKAGE_DIR", tmp_path)
    assert resources.installed()
    assert resource_dir("migrations") == tmp_path / "migrations"
    assert default_instance_path() == Path(sys.prefix) / "var" / "outreach-instance"


def test_the_app_reads_templates_static_files_and_migrations_from_the_resource_folders(
    app: Flask,
) -> None:
    assert app.template_folder == str(resource_dir("templates"))
    assert app.static_folder == str(resource_dir("static"))
    assert app.extensions["migrate"].directory == str(resource_dir("migrations"))
