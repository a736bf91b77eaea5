"""The ``flask`` commands of the foundation."""

from __future__ import annotations

import json
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from outreach.accounts.models import Membership, Role, User, Workspace
from outreach.campaigns.models import Campaign
from outreach.cli import command_line, installed_version
from outreach.extensions import db
from outreach.links.models import PlacedLink
from outreach.pitches.models import PitchTemplate
from outreach.prospects.models import Prospect, Stage

ROOT = Path(__file__).resolve().parents[1]


def test_create_user_reads_the_password_from_stdin(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-user", "ops@example.com", "--workspace", "Ops Co", "--password-stdin"],
        input="a long secret pw\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "ops@example.com"))
    assert user is not None
    member = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert member is not None and member.role is Role.OWNER
    assert db.session.get_one(Workspace, member.workspace_id).name == "Ops Co"


def test_create_user_prompts_for_the_password(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-user", "p@example.com", "--workspace", "P"],
        input="a long secret pw\na long secret pw\n",
    )
    assert result.exit_code == 0, result.output


def test_create_user_refuses_a_duplicate_with_a_clear_message(runner: FlaskCliRunner) -> None:
    args = ["create-user", "ops@example.com", "--workspace", "Ops", "--password-stdin"]
    runner.invoke(args=args, input="a long secret pw\n")
    result = runner.invoke(args=args, input="a long secret pw\n")
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_create_user_refuses_a_short_password(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["create-user", "x@example.com", "--workspace", "X", "--password-stdin"],
        input="short\n",
    )
    assert result.exit_code == 1 and "at least 10 characters" in result.output


def test_seed_demo_fills_every_pipeline_stage(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    stages = set(db.session.scalars(select(Prospect.stage)))
    assert stages == set(Stage)
    for model, least in ((Campaign, 2), (PitchTemplate, 3), (PlacedLink, 3)):
        count = db.session.execute(select(func.count()).select_from(model)).scalar_one()
        assert count >= least, model.__name__


def test_seed_demo_if_empty_leaves_existing_data_alone(runner: FlaskCliRunner) -> None:
    runner.invoke(
        args=["create-user", "a@example.com", "--workspace", "A", "--password-stdin"],
        input="a long secret pw\n",
    )
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "not seeded" in result.output
    assert db.session.scalar(select(func.count()).select_from(Prospect)) == 0


def test_campaign_create_prints_its_id_as_json(runner: FlaskCliRunner) -> None:
    runner.invoke(
        args=["create-user", "a@example.com", "--workspace", "Acme", "--password-stdin"],
        input="a long secret pw\n",
    )
    result = runner.invoke(
        args=[
            "campaign",
            "create",
            "--workspace",
            "Acme",
            "--name",
            "Q1",
            "--site",
            "ours.com",
            "--competitor",
            "www.rival.com",
            "--competitor",
            "blog.other.co.uk",
            "--json",
        ]
    )
    assert result.exit_code == 0, result.output
    campaign_id = json.loads(result.output)["id"]
    campaign = db.session.get(Campaign, campaign_id)
    assert campaign is not None
    assert [c.domain for c in campaign.competitors] == ["other.co.uk", "rival.com"]


def test_campaign_create_names_an_unknown_workspace(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["campaign", "create", "--workspace", "Nope", "--name", "Q1"])
    assert result.exit_code == 1 and "No workspace named 'Nope'" in result.output


def test_version_command_prints_the_version_pyproject_toml_gives(runner: FlaskCliRunner) -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert metadata.version("outreach") == declared
    assert runner.invoke(args=["version"]).output == f"Outreach {declared}\n"


def test_outreach_script_prints_its_version_without_building_the_app(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("outreach.create_app", None)  # --version must not need it
    result = CliRunner().invoke(command_line(), ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Outreach {metadata.version('outreach')}\n"


def test_outreach_script_runs_the_flask_commands(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OUTREACH_INSTANCE_PATH", str(tmp_path))
    result = CliRunner().invoke(command_line(), ["create-user", "--help"])
    assert result.exit_code == 0, result.output
    assert "--password-stdin" in result.output


def test_version_without_installed_metadata_says_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    assert installed_version() == "0+unknown"
