"""``flask worker`` and ``flask serve``: background jobs and the all-in-one local server.

``flask serve`` (what ``make run`` starts) serves through gunicorn, the production server,
with threads, beside its job workers, all sharing one embedded Redis when none is configured.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from redis import Redis

from outreach.jobs.connection import redis_url, stop_embedded_redis
from outreach.jobs.queues import Lane, parse_lanes, queue_names
from outreach.jobs.worker import OutreachWorker
from outreach.redact import redact_url


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--with-scheduler/--without-scheduler", default=True, help="Run RQ's scheduler too.")
@click.option(
    "--lane",
    "lanes",
    multiple=True,
    help=f"Work only on these lanes ({', '.join(Lane)}); default: all, in that order.",
)
@with_appcontext
def worker(burst: bool, with_scheduler: bool, lanes: tuple[str, ...]) -> None:
    """Run a job worker (the embedded Redis is started when REDIS_URL is unset)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        names = queue_names(app.config, parse_lanes(lanes))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--lane") from None
    url = redis_url(app)
    click.echo(f"Worker on {redact_url(url)}, queues {', '.join(names)}")
    connection = Redis.from_url(url)
    runner = OutreachWorker(names, connection=connection, app=app)
    runner.work(burst=burst, with_scheduler=with_scheduler)


def worker_commands(per_lane: int) -> list[list[str]]:
    """The ``flask worker`` commands ``flask serve`` starts: ``per_lane`` workers per lane.

    One worker per lane means a mailbox that never answers holds only the mail worker, and a
    slow crawl only the fetch worker: an import on the default queue starts at once.
    """
    flask = [sys.executable, "-m", "flask", "--app", "outreach", "worker"]
    return [[*flask, "--lane", lane.value] for lane in Lane for _ in range(max(per_lane, 0))]


def cron_command(url: str) -> list[str]:
    """``rq cron`` with the recurring jobs of ``outreach.cron``, as the README runs it."""
    patient = "outreach.jobs.connection.PatientRedis"
    rq = [sys.executable, "-m", "rq.cli"]
    return [*rq, "cron", "--url", url, "--connection-class", patient, "outreach.cron"]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option(
    "--workers", "worker_count", default=1, type=int, help="Job workers to start per lane."
)
@click.option("--threads", default=8, type=int, help="Request threads of the web server.")
@with_appcontext
def serve(host: str, port: int, worker_count: int, threads: int) -> None:
    """Start gunicorn, job workers and RQ's cron scheduler together (what ``make run`` does)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    env = {**os.environ, "REDIS_URL": redis_url(app), "OUTREACH_INSTANCE_PATH": app.instance_path}
    web_command = [sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", "1"]
    web_command += ["--threads", str(max(threads, 1)), "--graceful-timeout", "5"]
    # No control socket: gunicorn's default path is one per user, shared by every instance.
    web_command += ["--no-control-socket", "--access-logfile", "-", "outreach.wsgi:app"]
    # SIGTERM (from a process manager, or `kill`) stops everything as Ctrl-C does, so the
    # web server, the workers and the embedded Redis are shut down instead of being orphaned.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # even when started with SIGINT ignored
    children: list[subprocess.Popen[bytes]] = []
    try:
        for command in worker_commands(worker_count):
            children.append(subprocess.Popen(command, env=env))
        children.append(subprocess.Popen(cron_command(env["REDIS_URL"]), env=env))
        web = subprocess.Popen(web_command, env=env)
        children.append(web)
        click.echo(
            f"Outreach on http://{host}:{port} (gunicorn, {threads} threads) with "
            f"{len(children) - 2} job worker(s) and RQ's cron scheduler. Ctrl-C stops all."
        )
        status = web.wait()  # until the web server stops on its own...
    except KeyboardInterrupt:  # ...or Ctrl-C or SIGTERM: a normal stop
        status = 0
    finally:
        _stop(children)
        stop_embedded_redis()
    if status != 0:
        raise click.ClickException(f"the web server stopped (exit status {status})")


def _stop(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        child.terminate()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
