"""Static files: content-hashed names, a year's ``immutable`` lifetime, the plain name
revalidated, a stale hash a 404 (``govkg.web.static_files``)."""

import hashlib
import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "src" / "govkg" / "web" / "static"


def linked(client, path: str) -> list[str]:
    html = client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


@pytest.mark.parametrize("path", ["/", "/sparql"])
def test_pages_link_static_files_by_content_hash(client, path: str) -> None:
    urls = linked(client, path)
    assert urls
    for url in urls:
        stem, digest, ext = re.fullmatch(r"/static/(.+)\.([0-9a-f]{10})(\.\w+)", url).groups()
        content = (STATIC / (stem + ext)).read_bytes()
        assert hashlib.sha256(content).hexdigest()[:10] == digest
        with client.get(url) as response:
            assert response.status_code == 200 and response.data == content
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_plain_name_is_revalidated_and_a_stale_hash_is_gone(client) -> None:
    with client.get("/static/govkg.css") as response:
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/govkg.0123456789.css").status_code == 404
    assert client.get("/static/../app.py").status_code == 404
