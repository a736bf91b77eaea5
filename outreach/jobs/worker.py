"""An RQ worker that builds the Outreach app once, so every job runs with its settings.

Use it with the standard command::

    rq worker --url "$REDIS_URL" --worker-class outreach.jobs.worker.OutreachWorker outreach

Plain ``rq worker`` works too: jobs then build the app from the environment on first use.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from rq import Worker

from outreach.extensions import db
from outreach.jobs.connection import patient_retry
from outreach.jobs.context import set_worker_app, worker_app


class OutreachWorker(Worker):
    """A forking RQ worker whose work horses inherit a ready app and a fresh connection pool.

    Its Redis commands wait out a Redis restart instead of failing: RQ retries only its
    dequeue, so a restart while a job finishes would otherwise end the worker.
    """

    def __init__(self, *args: Any, app: Flask | None = None, **kwargs: Any) -> None:
        if app is not None:
            set_worker_app(app)
        self.flask_app = worker_app()
        super().__init__(*args, **kwargs)
        self.connection.set_retry(patient_retry())

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
        """In the forked child: drop inherited database connections before running the job."""
        with self.flask_app.app_context():
            db.engine.dispose(close=False)
        super().main_work_horse(job, queue)
