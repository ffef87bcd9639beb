"""WSGI entry point (gunicorn crm_project.wsgi).

The URLconf, and with it every view module (the API's serializers and validators), is
loaded here, as each worker starts, rather than by the worker's first request: that
request took 0.4 s longer than the next ones, once per gunicorn worker and again after
each recycling (`max_requests`), as profiled for purchase batches (issue 28)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 (imports the URLconf)
