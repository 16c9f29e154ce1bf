"""The web processes' WSGI entry point for gunicorn: `gunicorn -c gunicorn.conf.py web.wsgi:app`.

The app is built by the one factory from the environment, as `inspectflow serve` builds it, but nothing here
starts the scheduler: the web processes of a deployment are many (gunicorn's workers, several replicas), and the
scheduled duties and background jobs run in its one `inspectflow worker` (README, "Deployment"). gunicorn
imports this module in each worker after the fork (no preload), so no database connection crosses processes.
"""

from __future__ import annotations

import gc

from web import create_app

app = create_app()
# Everything loaded so far lives as long as the process: keep it out of the collector's full passes (as `serve`).
gc.freeze()
