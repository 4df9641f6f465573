"""gunicorn settings for running the portal behind a reverse proxy (nginx, Apache, a load balancer).

    gunicorn -c deploy/gunicorn.conf.py app:app

Every value can be overridden from the environment (LMS_BIND, LMS_WORKERS, ...); see docs/deploy.md.
"""

import multiprocessing
import os

bind = os.environ.get("LMS_BIND", "127.0.0.1:8000")
# Requests are CPU-bound when the database is on the same machine: one worker per core (plus
# one to cover pauses) measured best; raise it when the database is across the network.
# See docs/deploy.md, "Workers per core".
workers = int(os.environ.get("LMS_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = int(os.environ.get("LMS_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Restart workers now and then so a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
# The app writes one JSON line per request itself (lms.request_log); gunicorn logs errors only.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LMS_GUNICORN_LOGLEVEL", "info")
# Trust X-Forwarded-* only from the proxy in front (the app's LMS_PROXY_COUNT does the rest).
forwarded_allow_ips = os.environ.get("LMS_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - heartbeat only
# Each worker opens its own database connections after the fork.
preload_app = False
