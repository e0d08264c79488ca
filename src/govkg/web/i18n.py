"""Two languages, zh and en: which one a request gets, and the switch that remembers it.

The language comes from, in order: a ``lang`` cookie set by the switch (``/lang/<code>``),
then the browser's ``Accept-Language``, then English. Message catalogues live in
``translations/`` (Flask-Babel, gettext); ``docs/i18n.md`` says how to update them.
"""

from flask import Blueprint, Flask, Response, redirect, request, url_for
from flask_babel import Babel, get_locale
from werkzeug.exceptions import NotFound

from govkg.web.negotiation import add_vary

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("i18n", __name__)


def select_language() -> str:
    """The language of this request: the remembered choice, else the browser's, else en."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE)


def current_language() -> str:
    return str(get_locale() or DEFAULT_LANGUAGE)


def safe_next(target: str | None) -> str:
    """Where to go after switching: a path on this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("browse.home")
    return target


@bp.route("/lang/<code>")
def switch(code: str) -> Response:
    """Remember ``code`` in a cookie and go back to the page the switch was clicked on."""
    if code not in LANGUAGES:
        raise NotFound(f"No language {code!r} here: choose one of {', '.join(LANGUAGES)}.")
    response = redirect(safe_next(request.args.get("next")), code=303)
    response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    return response


@bp.after_app_request
def vary_on_language(response: Response) -> Response:
    if response.mimetype == "text/html":
        add_vary(response, "Accept-Language", "Cookie")
    return response


def init_i18n(app: Flask) -> None:
    """Attach Flask-Babel with govkg's catalogues and register the language switch."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    Babel(app, locale_selector=select_language)
    app.jinja_env.globals.update(current_language=current_language, LANGUAGES=LANGUAGES)
    app.register_blueprint(bp)
