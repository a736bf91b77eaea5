"""``flask worker`` and ``flask serve``: background jobs and the all-in-one local server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from redis import Redis
from werkzeug.serving import run_simple

from outreach.jobs.connection import redis_url, stop_embedded_redis
from outreach.jobs.worker import OutreachWorker


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--with-scheduler/--without-scheduler", default=True, help="Run RQ's scheduler too.")
@with_appcontext
def worker(burst: bool, with_scheduler: bool) -> None:
    """Run a job worker (the embedded Redis is started when REDIS_URL is unset)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    url = redis_url(app)
    click.echo(f"Worker on {url}, queue {app.config['OUTREACH_QUEUE']!r}")
    connection = Redis.from_url(url)
    runner = OutreachWorker([app.config["OUTREACH_QUEUE"]], connection=connection, app=app)
    runner.work(burst=burst, with_scheduler=with_scheduler)


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
@click.option("--workers", "worker_count", default=1, type=int, help="Job workers to start.")
@with_appcontext
def serve(host: str, port: int, worker_count: int) -> None:
    """Start the web app and job workers together (what ``make run`` does)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    env = {**os.environ, "REDIS_URL": redis_url(app), "OUTREACH_INSTANCE_PATH": app.instance_path}
    command = [sys.executable, "-m", "flask", "--app", "outreach", "worker"]
    children = [subprocess.Popen(command, env=env) for _ in range(max(worker_count, 0))]
    children.append(subprocess.Popen(cron_command(env["REDIS_URL"]), env=env))
    # SIGTERM (from a process manager, or `kill`) stops everything as Ctrl-C does, so the
    # workers and the embedded Redis are shut down instead of being orphaned.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)  # even when started with SIGINT ignored
    click.echo(
        f"Outreach on http://{host}:{port} with {len(children) - 1} worker(s) and RQ's cron "
        "scheduler. Ctrl-C stops all."
    )
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        stop_embedded_redis()
