"""Two languages, zh and en: which one a request gets, and the switch that remembers it.

The language comes from, in order: a ``lang`` cookie set by the switch (``/lang/<code>``),
then the browser's ``Accept-Language``, then English. The switch goes back only to a path
on this site (never an open redirect), and its cookie is ``Secure`` over HTTPS. Message
catalogues live in ``translations/`` (Flask-Babel, gettext); ``docs/i18n.md`` says how to
update them.
"""

from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, redirect, request, url_for
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
    """Where to go after switching: a path on this site only, read as a browser reads it.

    A browser drops tabs and line breaks from a URL and takes ``\\`` for ``/``, so
    ``/\t/evil.example`` and ``/\\evil.example`` lead to another host: any control
    character, backslash, scheme or host sends the client home instead.
    """
    home = url_for("browse.home")
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target) or "\\" in target:
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") \
            or parts.path.startswith("//"):
        return home
    return target


def is_secure_site() -> bool:
    """Whether the client reached this site over HTTPS: the request says so (directly, or
    through a trusted proxy's header), or the public base URL does."""
    base = current_app.config["GOVKG"].get("base_url") or ""
    return request.is_secure or base.startswith("https:")


@bp.route("/lang/<code>")
def switch(code: str) -> Response:
    """Remember ``code`` in a cookie and go back to the page the switch was clicked on."""
    if code not in LANGUAGES:
        raise NotFound(f"No language {code!r} here: choose one of {', '.join(LANGUAGES)}.")
    response = redirect(safe_next(request.args.get("next")), code=303)
    response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True,
                        secure=is_secure_site())
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
