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

# The wheel (setup.py's build step compiles the catalogs and copies the diagrams and bpmn-js into it).
FROM python:3.11-slim AS wheel
WORKDIR /src
COPY . .
COPY --from=assets /build/node_modules ./node_modules
RUN pip install --no-cache-dir "setuptools>=68" wheel \
 && pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /dist .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    INSPECTFLOW_ATTACHMENTS=/var/lib/inspectflow/attachments \
    INSPECTFLOW_INSTANCE=/var/lib/inspectflow/instance
# The printable documents (执法文书) are PDFs with Chinese text: they embed this font (engine.platform.pdf).
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 inspectflow \
 && useradd --system --uid 10001 --gid inspectflow --home-dir /app --no-create-home --shell /usr/sbin/nologin inspectflow \
 && python -m venv "$VIRTUAL_ENV"
WORKDIR /app

# The Python dependencies exactly as the lock file pins them (hashes checked), then the app as the wheel built
# above: templates, translations, the shipped diagrams and bpmn-js inside the package; the image holds no source.
ARG LOCK_FILE=requirements/runtime.lock
COPY ${LOCK_FILE} /tmp/runtime.lock
RUN pip install --require-hashes -r /tmp/runtime.lock && rm /tmp/runtime.lock
COPY --from=wheel /dist/ /tmp/dist/
RUN pip install --no-deps /tmp/dist/*.whl && rm -rf /tmp/dist && python -c "import gunicorn, web, engine"
COPY gunicorn.conf.py /app/gunicorn.conf.py

# Attached files (photos, PDFs) are the one thing the processes write to disk: one volume shared by the web
# processes and the worker (and the instance folder, for a development key file it never needs when SECRET_KEY is
# set). Nothing else is writable at run time.
RUN mkdir -p /var/lib/inspectflow/attachments /var/lib/inspectflow/instance \
 && chown -R inspectflow:inspectflow /var/lib/inspectflow
VOLUME /var/lib/inspectflow
USER inspectflow:inspectflow

EXPOSE 8000
# Liveness only (the process answers, no database round trip); readiness is GET /ready.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]
ENTRYPOINT ["inspectflow"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
