"""Languages of the pages: Simplified Chinese first (the source strings are Chinese), English second.

Templates and views mark text with `_()` / `gettext`; the English catalog lives in
`web/translations/en/LC_MESSAGES/messages.po` and is compiled to `.mo` on start when the `.po` is newer, so
a checkout needs no build step. The language is the visitor's choice (`/lang/<code>`, kept in a cookie),
else the browser's Accept-Language, else Chinese. Moments are shown in Asia/Shanghai whatever the language.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, redirect, request, url_for
from flask_babel import Babel, get_locale

TRANSLATIONS = Path(__file__).parent / "translations"
LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGE_COOKIE = "lang"

bp = Blueprint("i18n", __name__)


def init_app(app: Flask) -> None:
    compile_catalogs()
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_language)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_language=current_language)


def select_language() -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"], default="zh")
    return "en" if best == "en" else DEFAULT_LANGUAGE


def current_language() -> str:
    """'en' or 'zh_CN' (Babel names the Chinese locale zh_Hans_CN, so compare languages, not names)."""
    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else DEFAULT_LANGUAGE


@bp.get("/lang/<code>")
def choose(code: str):
    """Switch language and go back where the visitor was (a plain link: works without JavaScript)."""
    target = request.args.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.index")  # only same-site paths: no open redirect
    response = redirect(target)
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response


def compile_catalogs(root: Path = TRANSLATIONS) -> None:
    """Compile every messages.po whose .mo is missing or older (a failed write keeps the old catalog)."""
    for po_path in root.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        temporary = mo_path.with_suffix(".mo.tmp")
        with temporary.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        temporary.replace(mo_path)
