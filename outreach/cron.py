"""The config module of RQ's cron scheduler: every feature's recurring work.

Run it with::

    rq cron --url "$REDIS_URL" --connection-class outreach.jobs.connection.PatientRedis \\
        outreach.cron

It builds the app from the environment (so the schedules and queue name are the app's
settings, and every feature has registered its entries) and hands each entry to ``rq.cron``.
"""

from __future__ import annotations

from rq import cron

from outreach import create_app
from outreach.jobs.runner import cron_jobs

for _job in cron_jobs(create_app()):
    cron.register(**_job)
