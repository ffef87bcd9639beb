"""gunicorn settings for docker-compose and the image (`gunicorn -c gunicorn.conf.py`).

The access log names the path without its query string (%(U)s, never %(r)s or %(q)s)
and no referrer (a referring URL may carry one): personal data stays out of logs.
"""

bind = "0.0.0.0:8000"  # inside the container; docker-compose publishes it on loopback
workers = 3
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'
