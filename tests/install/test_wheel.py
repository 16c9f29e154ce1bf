"""The built wheel is a working app on its own (issue 13 item 1), tried as a county's IT department would: build
it from a copy of the sources, install it into a fresh virtualenv, and from a folder of its own migrate, deploy
the shipped diagrams, load the demo and serve — pages in Chinese and English, static files, bpmn-js and a
deployed diagram all come from the package, and nothing is written into the package directory.

The fresh virtualenv sees this one's site-packages through a path entry (not as a site directory, so this
checkout's editable install is not in it): the test checks what the wheel holds, not pip's resolver against
the index (the lock files are what CI installs). Marked `install`: the README's fast subset leaves it out.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_NOW
from tests.web.pages import token_of
from tests.web.test_cli_subprocess import Running, free_port, wait_for
from web.demo import DEMO_PASSWORD

pytestmark = pytest.mark.install

BPMN_JS = ROOT / "node_modules" / "bpmn-js"
PACKAGES = ("engine", "web", "migrations")


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(arg) for arg in args], capture_output=True, text=True, timeout=300, **kwargs)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done


def sources(target: Path) -> Path:
    """The checkout's files (tracked, or new and not ignored) copied to `target`, bpmn-js linked in."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).stdout
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    (target / "node_modules").mkdir()
    (target / "node_modules" / "bpmn-js").symlink_to(BPMN_JS)
    return target


def fresh_virtualenv(path: Path) -> Path:
    run(sys.executable, "-m", "venv", "--without-pip", path)
    site = Path(run(path / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .stdout.strip())
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "inspectflow-test-dependencies.pth").write_text("\n".join(ours) + "\n")
    return site


def listing(site: Path) -> dict[str, tuple[int, int]]:
    return {str(path.relative_to(site)): (path.stat().st_size, path.stat().st_mtime_ns)
            for package in PACKAGES for path in (site / package).rglob("*")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    assert (BPMN_JS / "dist").is_dir(), "bpmn-js is not installed: run scripts/install.sh"
    work = tmp_path_factory.mktemp("wheel")
    src = sources(work / "src")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index", "--no-build-isolation",
        "--wheel-dir", work / "dist", src)
    (wheel,) = (work / "dist").glob("inspectflow-*.whl")
    venv = work / "venv"
    site = fresh_virtualenv(venv)
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", "--no-deps",
        "--no-index", wheel)
    return venv, site


def test_the_installed_wheel_serves_the_app_and_writes_nothing_into_its_package(installed, tmp_path):
    venv, site = installed
    imported = run(venv / "bin" / "python", "-c", "import web; print(web.__file__)", cwd=tmp_path).stdout
    assert imported.strip() == str(site / "web" / "__init__.py")  # the wheel's, not this checkout's
    before = listing(site)
    instance = tmp_path / "county"
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "INSPECTFLOW_ENV", "FLASK_DEBUG", "PYTHONPATH", "INSPECTFLOW_ATTACHMENTS")}
    env.update(INSPECTFLOW_INSTANCE=str(instance), SECRET_KEY="wheel-test-key", INSPECTFLOW_CLOCK=TEST_NOW,
               PYTHONUNBUFFERED="1")
    inspectflow = venv / "bin" / "inspectflow"
    assert "database at head: sqlite:///" + str(instance / "inspectflow.db") in \
        run(inspectflow, "db", "upgrade", cwd=tmp_path, env=env).stdout
    deployed = run(inspectflow, "deploy", "--shipped", cwd=tmp_path, env=env).stdout
    assert "inspection_lifecycle.bpmn: inspection_lifecycle v1" in deployed
    run(inspectflow, "load-demo", cwd=tmp_path, env=env)

    port = free_port()
    server = Running(subprocess.Popen([str(inspectflow), "serve", "--port", str(port), "--no-scheduler"],
                                      cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True, bufsize=1))
    try:
        wait_for(f"http://127.0.0.1:{port}/health", server)
        check_pages(f"http://127.0.0.1:{port}")
    finally:
        assert server.stop() in (0, -signal.SIGTERM)
    assert "Traceback" not in server.output

    assert listing(site) == before
    # The instance folder holds the database alone: the catalog came compiled, SECRET_KEY from the environment.
    kept = {path.name for path in instance.iterdir()}
    assert "inspectflow.db" in kept and kept <= {"inspectflow.db", "inspectflow.db-wal", "inspectflow.db-shm"}


def check_pages(base: str) -> None:
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(path: str, language: str = "zh-CN") -> bytes:
        with browser.open(urllib.request.Request(base + path, headers={"Accept-Language": language})) as response:
            assert response.status == 200, path
            return response.read()

    chinese = get("/login").decode()
    assert '<html lang="zh-CN">' in chinese and "<title>登录" in chinese
    assert "<title>Log in" in get("/login", "en").decode()  # the compiled catalog
    form = urllib.parse.urlencode({"username": "owner", "password": DEMO_PASSWORD, "csrf_token": token_of(chinese)})
    with browser.open(base + "/login", data=form.encode()) as response:
        assert response.status == 200 and "/login" not in response.url
    modeler = get("/processes/versions/1/edit").decode()
    for static in ("diagrams.css", "modeler.js"):
        assert get(f"/static/{static}") == (ROOT / "web" / "static" / static).read_bytes()
    script = re.search(r'src="(/assets/bpmn-js/bpmn-modeler\.production\.min\.js\?v=[^"]+)"', modeler).group(1)
    version = re.search(r'"version": "([^"]+)"', (BPMN_JS / "package.json").read_text()).group(1)
    assert script.endswith(f"?v={version}")
    assert get(script) == (BPMN_JS / "dist" / "bpmn-modeler.production.min.js").read_bytes()
    diagram = get("/processes/versions/1.bpmn")
    assert diagram in {path.read_bytes() for path in (ROOT / "processes" / "bpmn").glob("*.bpmn")}
