"""The deployment's files (issue 13 item 2; README, "Deployment"), read as a container runtime and systemd would
read them — this machine has neither a Docker daemon nor `docker compose`, so the topology is checked by
structure: compose.yaml's services, their commands, replicas and order; the Dockerfile's stages, user, port,
health check and what it installs from; the proxy's headers; the systemd units. That the processes these
files start behave (gunicorn on web.wsgi, `inspectflow worker`) is tested in tests/web/."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from tests.conftest import ROOT

APP_SERVICES = ("migrate", "web", "worker")
ATTACHMENTS = "/var/lib/inspectflow/attachments"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines
            if line and not line.startswith("#")]


def final_stage() -> list[tuple[str, str]]:
    steps = instructions()
    start = max(index for index, (name, _) in enumerate(steps) if name == "FROM")
    return steps[start:]


def test_compose_runs_postgres_a_one_shot_migration_web_replicas_and_exactly_one_worker(services):
    assert set(services) == {"postgres", "migrate", "web", "worker", "proxy"}
    images = {services[name]["image"] for name in APP_SERVICES}
    assert len(images) == 1 and all(services[name]["build"] == "." for name in APP_SERVICES)  # one image

    migrate = services["migrate"]
    assert migrate["restart"] == "no" and migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    script = " ".join(migrate["entrypoint"] + migrate["command"])
    assert "inspectflow db upgrade && inspectflow deploy --shipped" in script
    assert list((ROOT / "processes" / "bpmn").glob("*.bpmn"))

    web = services["web"]
    assert web["entrypoint"] == ["gunicorn"] and web["command"] == ["--config", "gunicorn.conf.py", "web.wsgi:app"]
    assert (ROOT / "gunicorn.conf.py").is_file() and (ROOT / "web" / "wsgi.py").is_file()
    assert web["deploy"]["replicas"] >= 2

    worker = services["worker"]
    assert worker["command"] == ["worker"] and worker["deploy"]["replicas"] == 1
    assert "entrypoint" not in worker  # the image's: `inspectflow worker`
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}


def test_every_app_process_shares_the_secret_database_proxy_count_and_attachments(services):
    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgresql://") and "@postgres:5432/" in environment[
            "DATABASE_URL"]
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")  # compose refuses to start without one
        assert environment["INSPECTFLOW_TRUSTED_PROXIES"] == "1"  # the proxy service: exactly one hop
        assert environment["PREFERRED_URL_SCHEME"] == "https"
        assert int(environment["INSPECTFLOW_MAX_CONTENT_LENGTH"]) > 0
        assert environment["INSPECTFLOW_ATTACHMENTS"] == ATTACHMENTS
        assert f"attachments:{ATTACHMENTS}" in services[name]["volumes"]
    assert int(services["web"]["environment"]["WEB_CONCURRENCY"].split(":-")[1].rstrip("}")) >= 1


def test_only_the_proxy_publishes_ports_and_it_forwards_what_proxyfix_reads(services):
    assert [name for name, service in services.items() if "ports" in service] == ["proxy"]
    config = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    for header in ("X-Forwarded-For $remote_addr", "X-Forwarded-Proto $scheme", "X-Forwarded-Host $host"):
        assert f"proxy_set_header {header};" in config
    assert "proxy_add_x_forwarded_for" not in config  # replaced, so a client's own header never reaches the app
    body_limit = re.search(r"client_max_body_size (\d+)m;", config)
    assert body_limit and int(body_limit.group(1)) * 2**20 > int(
        services["web"]["environment"]["INSPECTFLOW_MAX_CONTENT_LENGTH"])
    assert "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro" in services["proxy"]["volumes"]


def test_the_image_builds_bpmn_js_with_node_then_runs_python_as_a_user_of_its_own():
    steps = instructions()
    stages = [arguments for name, arguments in steps if name == "FROM"]
    assert stages[0].startswith("node:20") and stages[-1] == "python:3.11-slim"
    assert any(name == "RUN" and "npm ci" in arguments for name, arguments in steps[:len(steps) - len(final_stage())])
    final = final_stage()
    commands = " ".join(arguments for name, arguments in final if name == "RUN")
    assert "apt-get install -y --no-install-recommends fonts-wqy-microhei" in commands
    # bpmn-js reaches the final image inside the wheel (the wheel stage copies node_modules for its build)
    assert any(name == "COPY" and arguments.startswith("--from=assets /build/node_modules")
               for name, arguments in steps)
    names = [name for name, _ in final]
    (user,) = [arguments for name, arguments in final if name == "USER"]
    assert user.split(":")[0] not in ("root", "0")
    assert names.index("USER") < min(names.index(name) for name in ("HEALTHCHECK", "ENTRYPOINT", "CMD"))
    assert ("EXPOSE", "8000") in final
    (health,) = [arguments for name, arguments in final if name == "HEALTHCHECK"]
    assert "http://127.0.0.1:8000/health" in health
    assert ("ENTRYPOINT", '["inspectflow"]') in final


def test_the_image_installs_the_locked_dependencies_then_the_wheel_not_the_source():
    final = final_stage()
    commands = " ".join(arguments for name, arguments in final if name == "RUN")
    (lock,) = [arguments.split("=", 1)[1] for name, arguments in final
               if name == "ARG" and arguments.startswith("LOCK_FILE=")]
    locked = (ROOT / lock).read_text()
    assert "--require-hashes -r /tmp/runtime.lock" in commands and "\ngunicorn==" in locked
    assert "pip install --no-deps /tmp/dist/*.whl" in commands and " -e " not in commands
    assert ("COPY", "--from=wheel /dist/ /tmp/dist/") in final
    assert not any(name == "COPY" and arguments.startswith(". ") for name, arguments in final), "no source tree"


def test_the_build_context_leaves_out_local_state():
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".git", ".venv", "node_modules", "instance", "tests"} <= ignored


def unit(name: str) -> dict[str, list[str]]:
    """A systemd unit file as {"Section.Key": [values…]} (a key may repeat, as ExecStart in a oneshot)."""
    values: dict[str, list[str]] = {}
    section = ""
    for line in (ROOT / "deploy" / "systemd" / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values.setdefault(f"{section}.{key}", []).append(value)
    return values


def test_systemd_runs_gunicorn_and_one_worker_after_the_migration():
    web, worker, migrate = (unit(f"inspectflow-{name}.service") for name in ("web", "worker", "migrate"))
    (serve,) = web["Service.ExecStart"]
    assert shlex.split(serve)[0].endswith("/gunicorn") and shlex.split(serve)[-1] == "web.wsgi:app"
    assert [shlex.split(command)[1:] for command in worker["Service.ExecStart"]] == [["worker"]]
    assert migrate["Service.Type"] == ["oneshot"]
    assert [command.split("inspectflow ", 1)[1] for command in migrate["Service.ExecStart"]] == [
        "db upgrade", "deploy --shipped"]
    for service in (web, worker, migrate):
        assert service["Service.User"] == ["inspectflow"]
        assert service["Service.EnvironmentFile"] == ["/etc/inspectflow/inspectflow.env"]
    for service in (web, worker):
        assert service["Unit.Requires"] == ["inspectflow-migrate.service"]
        assert "inspectflow-migrate.service" in service["Unit.After"][0].split()
        assert service["Service.KillSignal"] == ["SIGTERM"]


def test_the_readme_describes_every_variable_the_deployment_sets(compose):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deployment = readme.split("\n## Deployment\n", 1)[1].split("\n## ", 1)[0]
    variables = set(compose["x-app"]["environment"]) | set(compose["services"]["web"]["environment"])
    variables |= {line.split("=", 1)[0] for line in (ROOT / "deploy" / "systemd" / "inspectflow.env.example")
                  .read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")}
    missing = {name for name in variables if f"`{name}`" not in deployment}
    assert missing == set()
