"""The dumps at ``/dumps/``: files built once per input hash, sent with conditional and
range request support (``ETag`` is the file's SHA-256)."""

import base64

from flask import Blueprint, Response, render_template, send_file
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from govkg.distributions import BY_FILE, DISTRIBUTIONS
from govkg.prebuilt import dumps_dir
from govkg.web.display import page_language
from govkg.web.site import current_site
from govkg.web.views.cite import citation_for
from govkg.web.views.describe import built_dumps

bp = Blueprint("dumps", __name__)


def what_each_holds() -> dict[str, str]:
    """What each dump holds, in the page's language: the distributions' own titles, which
    the DCAT catalogue gives in both languages."""
    zh = page_language() == "zh"
    return {d.file: d.title_zh if zh and d.title_zh else d.title for d in DISTRIBUTIONS}


@bp.route("/dumps/")
def listing() -> str:
    return render_template("dumps.html", title=_("Dumps"), dumps=built_dumps(),
                           holds=what_each_holds(), citation=citation_for(None))


@bp.route("/dumps/<file>")
def download(file: str) -> Response:
    if file not in BY_FILE:
        raise NotFound(f"There is no dump called {file!r}; see /dumps/ for the list.")
    built = next(b for b in built_dumps() if b.file == file)
    site = current_site()
    path = dumps_dir(site.settings, site.build) / file
    response = send_file(path, mimetype=built.distribution.media_type, conditional=True,
                         etag=built.sha256, download_name=file, max_age=3600)
    digest = base64.b64encode(bytes.fromhex(built.sha256)).decode()
    response.headers["Digest"] = f"sha-256={digest}"  # RFC 3230: base64 of the hash
    return response
