"""gunicorn settings for docker-compose and the image (`gunicorn -c gunicorn.conf.py`).

The access log names the path without its query string (%(U)s, never %(r)s or %(q)s)
and no referrer (a referring URL may carry one): personal data stays out of logs.
"""

import os
import sys
import tempfile

from gunicorn.glogging import Logger

# The project's own modules, wherever gunicorn is started from.
sys.path.insert(0, os.path.dirname(os.path.abspath(globals().get("__file__", __name__))))
from runtime.scrub import scrub_text

bind = "0.0.0.0:8000"  # inside the container; docker-compose publishes it on loopback
# Sized from the cores: requests spend part of their time waiting on PostgreSQL, so two
# processes per core, each with a few threads (each thread keeps its own persistent
# database connection: workers x threads x 2 databases must stay under max_connections).
_cores = os.cpu_count() or 1
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * _cores))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))  # a stuck worker is replaced
graceful_timeout = 30
keepalive = 5  # storefronts reuse their connection between calls
# Replace each worker now and then, so a slow leak never grows without bound.
max_requests = 10_000
max_requests_jitter = 1_000
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'


class ScrubbedAccessLogger(Logger):
    """The path itself may name a customer by the storefront's id
    (`/api/v1/customers/ext:shop-123/`): logged as `ext:[redacted]`. A link's secret
    segment (`/portal/sign-in/link/<id>/<secret>/`) is logged as `[redacted]`
    (runtime.secret_paths, from the routes that declare one)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = scrub_text(atoms.get("U") or "")
        return atoms


logger_class = ScrubbedAccessLogger

# Prometheus counters are per process; with PROMETHEUS_MULTIPROC_DIR set before the
# workers start, /metrics adds up every worker's (runtime/metrics.py). A fresh directory
# per start, so a restarted server does not count its predecessor's requests.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="custodian-metrics-"))


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
