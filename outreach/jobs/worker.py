"""An RQ worker that builds the Outreach app once, so every job runs with its settings.

Use it with the standard command::

    rq worker --url "$REDIS_URL" --worker-class outreach.jobs.worker.OutreachWorker outreach

Plain ``rq worker`` works too: jobs then build the app from the environment on first use.
"""

from __future__ import annotations

import logging
import signal
from typing import Any

from flask import Flask
from rq import Worker
from rq.defaults import DEFAULT_JOB_MONITORING_INTERVAL, DEFAULT_WORKER_TTL

from outreach.config import Settings
from outreach.extensions import db
from outreach.jobs import recovery
from outreach.jobs.connection import patient_retry
from outreach.jobs.process import set_worker_app, worker_app
from outreach.jobs.supervisor import die_with_parent

log = logging.getLogger(__name__)


class OutreachWorker(Worker):
    """A forking RQ worker whose work horses inherit a ready app and a fresh connection pool.

    Its Redis commands wait out a Redis restart instead of failing: RQ retries only its
    dequeue, so a restart while a job finishes would otherwise end the worker.

    It sends a heartbeat every ``OUTREACH_WORKER_HEARTBEAT`` seconds, idle or busy (RQ's
    defaults: every 405 s when idle), so ``/healthz`` and the pages notice a dead worker
    within a minute. A job whose worker died is failed with a reason on its Task and the
    feature's record: by the recovery pass this worker runs when it starts, and when its
    work horse is killed outright or RQ's maintenance finds a job abandoned.
    """

    def __init__(self, *args: Any, app: Flask | None = None, **kwargs: Any) -> None:
        if app is not None:
            set_worker_app(app)
        self.flask_app = worker_app()
        heartbeat = max(int(Settings.from_config(self.flask_app.config).worker_heartbeat), 1)
        if kwargs.get("worker_ttl") in (None, DEFAULT_WORKER_TTL):
            kwargs["worker_ttl"] = heartbeat + 15  # RQ waits for a job this long minus 15 s
        if kwargs.get("job_monitoring_interval") in (None, DEFAULT_JOB_MONITORING_INTERVAL):
            kwargs["job_monitoring_interval"] = heartbeat
        kwargs.pop("default_worker_ttl", None)  # `rq worker` passes both; RQ warns on the old one
        kwargs.setdefault("work_horse_killed_handler", recovery.on_horse_killed)
        super().__init__(*args, **kwargs)
        if recovery.on_abandoned not in self._exc_handlers:
            self._exc_handlers.append(recovery.on_abandoned)
        self.connection.set_retry(patient_retry())

    def register_birth(self) -> None:
        """RQ's record of this worker, with where its pid is meaningful (see recovery)."""
        super().register_birth()  # type: ignore[no-untyped-call]
        self.connection.hset(self.key, recovery.HOST_FIELD, recovery.host_identity())

    def work(self, *args: Any, **kwargs: Any) -> bool:
        """Run the recovery pass (jobs of workers that died), then RQ's work loop."""
        try:
            found = recovery.recover(self.flask_app, self.connection)
            if any(found.values()):
                log.warning("Recovered the jobs of dead workers: %s", found)
        except Exception:
            log.exception("The recovery pass at worker start failed")
        return bool(super().work(*args, **kwargs))

    def subscribe(self) -> None:
        """RQ's command channel, with a listener that wakes every second, not every minute.

        Stopping the worker joins that listener; with redis-py 8 a listener that has just
        seen its unsubscribe sleeps out its whole wake-up interval, so a minute-long one
        held every worker's shutdown for up to a minute.
        """
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        # RQ's __init__ leaves the attribute typed as None.
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def main_work_horse(self, job: Any, queue: Any) -> None:
        """In the forked child: end with the worker, and drop inherited database connections.

        A work horse outliving its worker would run on while the recovery pass fails its job.
        """
        die_with_parent(signal.SIGKILL)
        with self.flask_app.app_context():
            db.engine.dispose(close=False)
        super().main_work_horse(job, queue)
