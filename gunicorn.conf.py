"""gunicorn settings for e-KTP Tracker: `gunicorn ektp_tracker.wsgi` in the project folder
picks this file up. Every value comes from the environment (or .env, like the Django settings).
"""

import multiprocessing
from pathlib import Path

import environ

env = environ.Env()
environ.Env.read_env(Path(__file__).resolve().parent / ".env", overwrite=False)

# Loopback by default: a TLS-terminating proxy (nginx, the load balancer's agent) sits in front.
# 0.0.0.0:8000 listens on every interface.
bind = env.list("GUNICORN_BIND", default=["127.0.0.1:8000"])

# Pages are database- and template-bound, so the classic 2 × cores + 1 sync workers (5 on the
# usual 2-core office server) keep the CPUs busy while some workers wait on PostgreSQL.
workers = env.int("WEB_CONCURRENCY", default=multiprocessing.cpu_count() * 2 + 1)

# A request taking longer than this is killed and logged; a large upload or national export is
# a few seconds, so 60 s only catches something stuck.
timeout = env.int("GUNICORN_TIMEOUT", default=60)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak can never take the server down.
max_requests = 2000
max_requests_jitter = 200

# Access log and errors to stdout/stderr, for systemd's journal or the container runtime.
# %(M)s is the request time in milliseconds.
accesslog = "-"
errorlog = "-"
loglevel = env.str("GUNICORN_LOG_LEVEL", default="info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
