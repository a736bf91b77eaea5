"""The release: the built wheel, installed alone, runs the README's production commands.

The wheel is installed into a fresh virtualenv in a temporary folder, and every command runs
from an empty folder there, so nothing can come from the checkout. The commands are read from
the README's production section and run as written (through bash), except that gunicorn binds
a free local port: the test follows the README, and the README cannot drift from what works.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import time
import tomllib
import zipfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import httpx
import pytest
from redis import Redis
from sqlalchemy import create_engine, text

from outreach.config import database_url
from outreach.jobs.queues import queue_names
from tests.backlinks.ahrefs import Link, write_ahrefs
from tests.conftest import IN_CI, _migrate
from tests.support.processes import Processes
from tests.support.services import worker_postgres_url
from tests.support.smtp import free_port

# One xdist worker builds the wheel once for every test here (module-scoped fixtures).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("release")]

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "release-password-1"
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]


def production_commands() -> tuple[list[str], list[str]]:
    """The README's production commands and the names its ``export`` lines set."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Production\n", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands, exported = [], []
    for raw in block.splitlines():
        line = raw.split("  #", 1)[0].strip()
        if not line or line.startswith("#") or line.startswith("pip install"):
            continue
        if line.startswith("export "):
            exported.append(line.removeprefix("export ").split("=", 1)[0])
        else:
            commands.append(line)
    return commands, exported


def _command(commands: list[str], prefix: str) -> str:
    found = [c for c in commands if c.startswith(prefix)]
    assert len(found) == 1, f"the README's production section has one `{prefix} ...`"
    return found[0]


def _reset_schema(url: str) -> None:
    engine = create_engine(database_url(url, Path()))
    with engine.begin() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def services(redis_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """TEST_DATABASE_URL with its schema emptied, and TEST_REDIS_URL flushed; restored after.

    Under xdist: this worker's own database and Redis (tests/support/services.py).
    """
    db_url = os.environ.get("TEST_DATABASE_URL")
    if not (db_url and os.environ.get("TEST_REDIS_URL")):
        if IN_CI:
            pytest.fail("CI=true: the release test needs TEST_DATABASE_URL and TEST_REDIS_URL")
        pytest.skip("the release test runs on PostgreSQL and Redis: set TEST_DATABASE_URL/REDIS")
    db_url = worker_postgres_url(db_url)
    _reset_schema(db_url)
    Redis.from_url(redis_url).flushdb()
    yield db_url, redis_url
    Redis.from_url(redis_url).flushdb()
    # The rest of the session expects its migrated, empty schema back.
    _reset_schema(db_url)
    _migrate(database_url(db_url, tmp_path), tmp_path / "instance")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel ``python -m build`` makes: an sdist first, then the wheel built from it."""
    folder = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", str(folder), str(ROOT)])
    (built,) = folder.glob("outreach-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv outside the checkout with only the wheel and its dependencies."""
    folder = tmp_path_factory.mktemp("release")
    env_dir = folder / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)])
    # Pinned to the versions this checkout is tested with: no resolving, wheels from pip's
    # cache; no byte-compiling of every dependency up front (imports compile what they use).
    pins = folder / "pins.txt"
    pins.write_text("".join(f"{line}\n" for line in _installed_versions()))
    install = ["install", "--quiet", "--no-compile", "--constraint", str(pins), str(wheel)]
    _run([*PIP, "--python", str(env_dir / "bin" / "python"), *install])
    return env_dir


@pytest.mark.parametrize("build", ["python -m build", "pip install ."])
def test_wheel_carries_every_template_static_file_and_migration(
    build: str, wheel: Path, tmp_path: Path
) -> None:
    if build == "pip install .":  # straight from the tree, as pip builds it
        _run([*PIP, "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(ROOT)])
        (wheel,) = tmp_path.glob("outreach-*.whl")
    tracked = _run(["git", "ls-files", "templates", "static", "migrations"], cwd=ROOT).stdout
    expected = {f"outreach/{path}" for path in tracked.split()}
    assert expected, "git lists the checkout's folders"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert expected <= names, sorted(expected - names)
    assert not any(n.startswith(("tests/", "instance/", "templates/")) for n in names)


def _installed_versions() -> list[str]:
    pins = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and name.lower() != "outreach":
            pins[name.lower()] = f"{name}=={dist.version}"
    return sorted(pins.values())


def _run(
    command: list[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        start_new_session=True,  # no terminal: a password prompt reads standard input
        check=False,
    )
    assert result.returncode == 0, f"{shlex.join(command)}\n{result.stdout}\n{result.stderr}"
    return result


def _production_env(venv: Path, db_url: str, redis_url: str, port: int) -> dict[str, str]:
    """The environment a self-hoster has: the virtualenv first on PATH, settings exported."""
    inherited = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER")
    env = {key: os.environ[key] for key in inherited if key in os.environ}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["XDG_RUNTIME_DIR"] = str(venv.parent)  # gunicorn's control socket, not in $HOME
    env["DATABASE_URL"] = db_url
    env["REDIS_URL"] = redis_url
    env["SECRET_KEY"] = secrets.token_urlsafe(48)
    env["OUTREACH_BASE_URL"] = f"http://127.0.0.1:{port}"
    return env


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert match, "every page carries its CSRF token"
    return match.group(1)


def _wait_for_web(client: httpx.Client, web: subprocess.Popen[bytes], logs: Processes) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            if client.get("/login").status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert web.poll() is None, f"gunicorn stopped:\n{logs.logs()}"
        assert time.monotonic() < deadline, f"gunicorn did not answer in 90 s:\n{logs.logs()}"
        time.sleep(0.3)


def _sign_in(client: httpx.Client, email: str) -> None:
    token = _csrf(client.get("/login").text)
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 302, answer.text


def _assert_page_and_stylesheets_load(client: httpx.Client) -> str:
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200, page.text
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    assert any(sheet.endswith("/app.css") for sheet in sheets), sheets
    for sheet in sheets:
        css = client.get(sheet)
        assert css.status_code == 200, sheet
        assert css.headers["content-type"].startswith("text/css") and css.content, sheet
    return page.text


def _upload_export(client: httpx.Client, campaign_id: int, folder: Path) -> int:
    links = [
        Link("https://blog-one.example/post", "https://comp-a.example/guide"),
        Link("https://blog-one.example/post", "https://comp-b.example/tips"),
        Link("https://news-two.example/story", "https://comp-a.example/"),
        Link("https://news-two.example/story", "https://comp-b.example/"),
        Link("https://lone-three.example/page", "https://comp-a.example/guide"),
    ]
    export = write_ahrefs(folder / "ahrefs-backlinks.csv", links)
    form = client.get(f"/campaigns/{campaign_id}/imports")
    answer = client.post(
        f"/campaigns/{campaign_id}/imports",
        data={"csrf_token": _csrf(form.text), "target": ""},
        files={"file": (export.name, export.read_bytes(), "text/csv")},
    )
    assert answer.status_code == 302, answer.text
    match = re.search(r"/imports/(\d+)$", answer.headers["location"])
    assert match, answer.headers["location"]
    return int(match.group(1))


def _wait_for_import(client: httpx.Client, import_id: int, logs: Processes) -> dict[str, object]:
    deadline = time.monotonic() + 90
    while True:
        state = client.get(f"/imports/{import_id}.json").json()
        if state["status"] in ("done", "failed"):
            assert state["status"] == "done", f"{state}\n{logs.logs()}"
            return dict(state)
        assert time.monotonic() < deadline, f"the worker did not import in 90 s:\n{logs.logs()}"
        time.sleep(0.3)


def test_installed_wheel_runs_the_readme_production_commands_from_an_empty_folder(
    services: tuple[str, str], venv: Path, tmp_path: Path
) -> None:
    commands, exported = production_commands()
    folder = tmp_path / "anywhere"
    folder.mkdir()
    port = free_port()
    env = _production_env(venv, *services, port)
    assert set(exported) <= set(env), "the test sets every variable the README exports"
    # One-shot commands run to the end; the others (gunicorn, rq ...) are servers.
    one_shot = [c for c in commands if c.startswith(("flask ", "outreach "))]
    servers = [c for c in commands if c not in one_shot]
    assert one_shot[0] == "flask --app outreach db upgrade", "the schema comes first"
    create_user = _command(one_shot, "flask --app outreach create-user ")
    assert _command(servers, "gunicorn ")
    workers = [shlex.split(c) for c in servers if c.startswith("rq worker ")]
    listened = {word for words in workers for word in words if not word.startswith(("-", "$"))}
    assert set(queue_names({})) <= listened, "a worker on every queue, under its default name"
    words = shlex.split(create_user)
    email, workspace = words[words.index("create-user") + 1], words[words.index("--workspace") + 1]

    def shell(line: str, stdin: str | None = None) -> str:
        return _run(["bash", "-c", line], cwd=folder, env=env, stdin=stdin).stdout

    imported_from = shell("python -c 'import outreach; print(outreach.__file__)'")
    assert imported_from.startswith(str(venv)), "the installed package, not the checkout"
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert shell("outreach --version") == f"Outreach {version}\n", "pyproject.toml's version"

    shell(one_shot[0])
    processes = Processes(folder, env)
    try:
        # The servers boot while the rest (the user) is set up, as the README's order allows.
        for number, line in enumerate(servers):
            if line.startswith("gunicorn "):
                line = re.sub(r"--bind \S+", f"--bind 127.0.0.1:{port}", line)
            processes.start(line, f"{number}-{line.split()[0]}")
        web = processes.started[servers.index(_command(servers, "gunicorn "))][0]
        for line in one_shot[1:]:
            shell(line, stdin=f"{PASSWORD}\n{PASSWORD}\n" if line == create_user else None)
        campaign = shell(
            f"flask --app outreach campaign create --workspace {shlex.quote(workspace)}"
            " --name Release --site our-site.example --competitor comp-a.example"
            " --competitor comp-b.example --json"
        )
        campaign_id = int(json.loads(campaign)["id"])
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            _wait_for_web(client, web, processes)
            _sign_in(client, email)
            assert workspace in _assert_page_and_stylesheets_load(client)
            import_id = _upload_export(client, campaign_id, tmp_path)
            assert _wait_for_import(client, import_id, processes)["rows_imported"] == 5
            intersect = client.get(f"/campaigns/{campaign_id}/intersect", params={"k": 2})
        assert intersect.status_code == 200
        assert "blog-one.example" in intersect.text and "news-two.example" in intersect.text
        assert "lone-three.example" not in intersect.text, "it links to one competitor only"
        running = [process.poll() is None for process, _ in processes.started]
        assert all(running), f"every README server still runs:\n{processes.logs()}"
    finally:
        processes.stop_all()
    assert (venv / "var" / "outreach-instance" / "uploads").is_dir(), "the installed default"
    assert list(folder.iterdir()) == [], "the commands need nothing from the working folder"
