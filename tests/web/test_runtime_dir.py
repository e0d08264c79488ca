"""An app made outside ``govkg serve`` (tests, benchmarks, tools) leaves no runtime directory
behind: its query pool's private one goes with it."""

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from govkg.web.app import create_app
app = create_app({"cache_dir": sys.argv[1], "query_workers": 1})
assert app.test_client().get("/sparql?query=ASK%7B%7D",
                             headers={"Accept": "application/sparql-results+json"}).status_code == 200
import tempfile, pathlib
print(len(list(pathlib.Path(tempfile.gettempdir()).glob("govkg-runtime-*"))))
"""


def test_an_app_leaves_no_runtime_directory(tmp_path: Path, cache_dir: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(cache_dir)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1"]  # made while the app lived
    assert not list(temp.glob("govkg-runtime-*"))  # and gone with it
