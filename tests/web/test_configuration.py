"""Where a deployment's configuration comes from (web.config, engine.platform.instance): the instance folder,
the default database under it, SECRET_KEY required unless the app runs for development, and a checkout's
catalog compiled into the instance folder rather than into the package directory (web.i18n)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.platform.db import database_url
from tests.conftest import TEST_NOW
from web import create_app, i18n
from web.cli import _configured_app
from web.config import ConfigurationError
from web.packaged import compile_catalogs


@pytest.fixture
def deployment(monkeypatch, tmp_path) -> Path:
    """A production environment: nothing but the instance folder configured."""
    for name in ("SECRET_KEY", "INSPECTFLOW_ENV", "FLASK_DEBUG", "DATABASE_URL", "INSPECTFLOW_ATTACHMENTS",
                 "PREFERRED_URL_SCHEME", "INSPECTFLOW_TRUSTED_PROXIES", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INSPECTFLOW_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("INSPECTFLOW_CLOCK", TEST_NOW)
    return tmp_path / "instance"


def started(config: dict | None = None):
    app = create_app(config)
    app.extensions["inspectflow"].engine.dispose()
    return app


def test_without_secret_key_a_deployment_refuses_to_start_saying_what_to_set(deployment, capsys):
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set.*INSPECTFLOW_ENV=development"):
        create_app()
    with pytest.raises(SystemExit) as exited:  # the console script: the reason, no traceback
        _configured_app()
    assert exited.value.code == 2
    assert capsys.readouterr().err.startswith("inspectflow: SECRET_KEY is not set")
    assert not (deployment / "secret_key").exists()


def test_served_over_https_the_key_is_required_even_for_development(deployment, monkeypatch):
    monkeypatch.setenv("INSPECTFLOW_ENV", "development")
    monkeypatch.setenv("PREFERRED_URL_SCHEME", "https")
    with pytest.raises(ConfigurationError, match="served over HTTPS or behind a proxy"):
        create_app()
    monkeypatch.setenv("SECRET_KEY", "k" * 64)
    app = started()
    assert app.config["SECRET_KEY"] == "k" * 64 and app.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("development", [("INSPECTFLOW_ENV", "development"), ("FLASK_DEBUG", "1")])
def test_development_keeps_its_own_key_in_the_instance_folder(deployment, monkeypatch, development):
    monkeypatch.setenv(*development)
    first = started().config["SECRET_KEY"]
    assert (deployment / "secret_key").read_text() == first and len(first) == 64
    assert started().config["SECRET_KEY"] == first  # sessions survive a restart


def test_the_instance_folder_holds_the_database_and_attachments_unless_configured(deployment, monkeypatch):
    app = started({"SECRET_KEY": "k"})
    assert app.instance_path == str(deployment.resolve())
    assert app.config["DATABASE_URL"] == f"sqlite:///{deployment.resolve() / 'inspectflow.db'}"
    assert app.config["ATTACHMENT_DIR"] == str(deployment.resolve() / "attachments")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/inspect")
    assert database_url() == "postgresql+psycopg://u@db/inspect"


def catalog_files(root: Path) -> dict[str, int]:
    return {str(path.relative_to(root)): path.stat().st_mtime_ns for path in root.rglob("*")}


@pytest.fixture
def checkout_catalogs(monkeypatch, tmp_path) -> Path:
    """The package's translations as a checkout has them: the .po files only."""
    package = tmp_path / "package-translations"
    for po_path in i18n.TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        target = package / po_path.relative_to(i18n.TRANSLATIONS)
        target.parent.mkdir(parents=True)
        shutil.copy2(po_path, target)
    monkeypatch.setattr(i18n, "TRANSLATIONS", package)
    return package


def test_a_checkout_compiles_its_catalog_into_the_instance_folder_not_the_package(deployment, checkout_catalogs):
    before = catalog_files(checkout_catalogs)
    app = started({"SECRET_KEY": "k"})
    assert app.config["BABEL_TRANSLATION_DIRECTORIES"] == str(deployment.resolve() / "translations")
    assert (deployment / "translations" / "en" / "LC_MESSAGES" / "messages.mo").is_file()
    assert catalog_files(checkout_catalogs) == before
    page = app.test_client().get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<title>Log in" in page


def test_a_built_package_serves_its_own_compiled_catalog(deployment, checkout_catalogs):
    """As the wheel has it: the .mo without the .po; nothing is compiled anywhere."""
    compile_catalogs(checkout_catalogs, checkout_catalogs)
    for po_path in checkout_catalogs.rglob("*.po"):
        po_path.unlink()
    app = started({"SECRET_KEY": "k"})
    assert app.config["BABEL_TRANSLATION_DIRECTORIES"] == str(checkout_catalogs)
    assert not (deployment / "translations").exists()
    page = app.test_client().get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<title>Log in" in page
