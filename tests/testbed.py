"""What every test may import: the checkout's paths, whether this is CI, and ``run_govkg``.

A module of its own (not ``conftest``) so that any subset of the tests imports it the same
way: two modules named ``conftest`` (here and in ``web/``) cannot both be imported by name.
"""

import os
import subprocess
import sys
from pathlib import Path

from govkg.resources import default_root

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
