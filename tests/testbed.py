"""What every test may import: the checkout's paths, whether this is CI, ``run_govkg`` and
``cache_with_built_graphs``.

A module of its own (not ``conftest``) so that any subset of the tests imports it the same
way: two modules named ``conftest`` (here and in ``web/``) cannot both be imported by name.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from govkg.files import checksum_path
from govkg.resources import default_root
from govkg.store import built_graphs_file

ROOT = default_root()  # the sources govkg uses: installed package or checkout
REPO = Path(__file__).resolve().parents[1]  # this checkout
IN_CI = os.environ.get("CI") == "true"


def run_govkg(*args: str, cache_dir: Path, input: str | None = None,
              cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the ``govkg`` command as a user does, in a subprocess."""
    env = {**os.environ, "GOVKG_CACHE_DIR": str(cache_dir)}
    return subprocess.run(
        [sys.executable, "-m", "govkg", *args],
        capture_output=True, text=True, input=input, env=env, cwd=cwd, timeout=300,
    )


def cache_with_built_graphs(settings: dict, directory: Path) -> Path:
    """``directory`` made a cache holding only the graphs built for ``settings`` (the N-Quads
    file and its checksum): a test of what is made from them need not build them again."""
    built = built_graphs_file(settings)
    directory.mkdir(parents=True, exist_ok=True)
    for path in (built, checksum_path(built)):
        shutil.copy2(path, directory / path.name)
    return directory
