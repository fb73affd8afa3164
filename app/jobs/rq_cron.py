"""Cron registrations for RQ's own CLI: `rq cron app.jobs.rq_cron --url $REDIS_URL` (RQ imports this module
and reads what it registered). `python worker.py` runs the same registrations itself."""

from rq import cron

from app.jobs.registry import register_cron
from config import config_from_env

register_cron(cron, config_from_env().JOB_QUEUE_PREFIX)
