"""gunicorn's settings for inspectflow's web processes (README, "Deployment"), read from the environment.

`gunicorn -c gunicorn.conf.py web.wsgi:app` (gunicorn also finds this file by itself in the working directory).
Threads rather than many processes: a request mostly waits on the database, and each process keeps its own
workflow cache. No preload: every worker builds its app (and its database pool) after the fork.
"""

import os

wsgi_app = "web.wsgi:app"
bind = [os.environ.get("INSPECTFLOW_BIND", "0.0.0.0:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("INSPECTFLOW_WEB_THREADS", "4"))
timeout = int(os.environ.get("INSPECTFLOW_WEB_TIMEOUT_S", "60"))  # a worker silent this long is restarted
graceful_timeout = int(os.environ.get("INSPECTFLOW_WEB_GRACEFUL_TIMEOUT_S", "30"))  # SIGTERM: requests finish
keepalive = int(os.environ.get("INSPECTFLOW_WEB_KEEPALIVE_S", "5"))
# The proxy's X-Forwarded-* headers are the app's to judge (ProxyFix, INSPECTFLOW_TRUSTED_PROXIES): gunicorn
# itself believes none of them, from any address.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("INSPECTFLOW_WEB_LOG_LEVEL", "info")
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # the workers' heartbeat files off a container's overlay filesystem
control_socket_disable = True  # no `gunicornc` runtime control: the container or systemd manages the process
