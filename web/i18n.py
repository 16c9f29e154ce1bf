"""Languages of the pages: Simplified Chinese first (the source strings are Chinese), English second.

Templates and views mark text with `_()` / `gettext`; the English catalog lives in
`web/translations/en/LC_MESSAGES/messages.po`. A built wheel carries it compiled (web.packaged); a checkout
compiles it on start into the instance folder's `translations/` when the `.po` is newer, so a checkout needs
no build step and nothing is ever written into the package directory. `scripts/i18n.sh` extracts the marked
strings and reports or adds missing entries; tests/web/test_i18n.py fails while any marked string lacks an
English translation. The language is the visitor's choice (`/lang/<code>`, kept in a cookie), else the
browser's Accept-Language, else Chinese.
Moments are shown in Asia/Shanghai whatever the language (web.presenters).

Only the pages' own words are translated. Texts that come from the engine stay Chinese in both languages:
refusal messages, rule texts and vocabularies in `engine/domain` (the five prohibitions, complaint kinds and
outcomes), alert messages, and the form labels written in the diagrams (`inspectflow:form`). They are the
legal wording of the procedures, which an English paraphrase must not replace.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale
from flask import Blueprint, Flask, redirect, request, url_for
from flask_babel import Babel, get_locale

from web.packaged import catalog_sources, compile_catalogs, is_current
from web.security import same_site_path

TRANSLATIONS = Path(__file__).parent / "translations"
LANGUAGES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
LANGUAGE_COOKIE = "lang"

bp = Blueprint("i18n", __name__)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    if "BABEL_TRANSLATION_DIRECTORIES" not in app.config:
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(translation_directory(Path(app.instance_path)))
    Babel(app, locale_selector=select_language)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, current_language=current_language, html_lang=html_lang,
                                 language_link=language_link)


def select_language() -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    # By primary language in the browser's order of preference: zh-TW before en still means Chinese pages,
    # which werkzeug's best_match (exact tags first) would answer with English.
    by_primary = {code.split("_")[0]: code for code in LANGUAGES}
    for tag, _quality in request.accept_languages:  # best first
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary in by_primary:
            return by_primary[primary]
    return DEFAULT_LANGUAGE


def current_language() -> str:
    """The LANGUAGES code of this request (Babel spells zh_CN's locale `zh_Hans_CN`, so compare locales)."""
    locale = get_locale()
    return next((code for code in LANGUAGES if Locale.parse(code) == locale), DEFAULT_LANGUAGE)


def html_lang(code: str | None = None) -> str:
    """The BCP 47 tag for `lang=` attributes (Babel's `zh_CN` is `zh-CN` in HTML)."""
    return (code or current_language()).replace("_", "-")


def language_link(code: str) -> str:
    """The switch to `code` that comes back to this very page, query included."""
    here = request.full_path.rstrip("?")  # full_path ends in a bare "?" when there is no query
    return url_for("i18n.choose", code=code, next=here)


@bp.get("/lang/<code>")
def choose(code: str):
    """Switch language and go back where the visitor was (a plain link: works without JavaScript)."""
    response = redirect(same_site_path(request.args.get("next")) or url_for("main.index"))  # no open redirect
    if code in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, code, max_age=365 * 86400, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    return response


def translation_directory(instance: Path) -> Path:
    """The compiled catalogs: the package's own when its build made them, else compiled (when missing or
    older than their `.po`) into `instance`'s `translations/`."""
    if all(is_current(po.with_suffix(".mo"), po) for po in catalog_sources(TRANSLATIONS)):
        return TRANSLATIONS
    compiled = instance / "translations"
    compile_catalogs(TRANSLATIONS, compiled)
    return compiled
