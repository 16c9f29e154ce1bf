# syntax=docker/dockerfile:1
# One image for every inspectflow process (README, "Deployment"): the web processes (gunicorn serving
# web.wsgi), the one worker (`inspectflow worker`) and the one-shot migration (`inspectflow db upgrade`).
# Alone it serves the embedded way (`inspectflow serve`: waitress with the scheduler in the same process).
#
#   docker build -t inspectflow .

# The diagram editor and viewer (bpmn-js), exactly as package-lock.json pins them: node builds the image only.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    INSPECTFLOW_ATTACHMENTS=/var/lib/inspectflow/attachments
# The printable documents (执法文书) are PDFs with Chinese text: they embed this font (engine.platform.pdf).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 inspectflow \
 && useradd --system --uid 10001 --gid inspectflow --home-dir /app --no-create-home --shell /usr/sbin/nologin inspectflow \
 && python -m venv "$VIRTUAL_ENV"
WORKDIR /app

# The Python dependencies: pinned by the lock file when the checkout has one (LOCK_FILE), else resolved from
# setup.cfg. The app runs from this source tree (templates, translations and the shipped diagrams live in it),
# hence the editable install.
ARG LOCK_FILE=requirements/runtime.lock
COPY . .
RUN if [ -f "$LOCK_FILE" ]; then pip install -r "$LOCK_FILE" && pip install --no-deps -e .; \
    else pip install -e '.[deploy]'; fi \
 && python -c "import gunicorn" \
 && python -c "from web.i18n import compile_catalogs; compile_catalogs()" \
 && python -m compileall -q engine web migrations
COPY --from=assets /build/node_modules/bpmn-js /app/node_modules/bpmn-js

# Attached files (photos, PDFs) are the one thing the processes write to disk: one volume shared by the web
# processes and the worker. Nothing under /app is writable at run time.
RUN mkdir -p /var/lib/inspectflow/attachments /app/instance \
 && chown -R inspectflow:inspectflow /var/lib/inspectflow /app/instance
VOLUME /var/lib/inspectflow
USER inspectflow:inspectflow

EXPOSE 8000
# Liveness only (the process answers, no database round trip); readiness is GET /ready.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
ENTRYPOINT ["inspectflow"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
