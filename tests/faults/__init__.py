"""Faults injected into real processes: killed workers, restarts of Redis and PostgreSQL, a full
disk."""
