"""The committed query-editor bundle is the build of ``js/``: rebuilt from the sources with
the locked packages (``npm ci``, ``npm run build``, as the README says) in a scratch copy,
it comes out byte for byte as committed, licences included. The build is reproducible
(esbuild, pinned versions), so any edit of ``js/src`` without a rebuild, or of the bundle by
hand, fails here. Needs npm and the npm registry; under CI=true it never skips.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
STATIC = REPO / "src" / "govkg" / "web" / "static"
BUILT = ("query-editor.js", "query-editor.LICENSES.txt")


@pytest.mark.slow
def test_the_committed_bundle_is_the_build_of_js(tmp_path: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI") == "true":
            pytest.fail("npm is missing: .ci/run installs it (Debian package npm)")
        pytest.skip("npm is not installed (Debian package npm)")
    scratch = tmp_path / "js"
    shutil.copytree(REPO / "js", scratch, ignore=shutil.ignore_patterns("node_modules"))
    out = tmp_path / "src" / "govkg" / "web" / "static"  # where build.mjs writes, from js/
    out.mkdir(parents=True)
    for step in (["ci", "--no-audit", "--no-fund"], ["run", "build"]):
        done = subprocess.run([npm, *step], cwd=scratch, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, f"npm {' '.join(step)}:\n{done.stdout}\n{done.stderr}"
    for name in BUILT:
        assert (out / name).read_bytes() == (STATIC / name).read_bytes(), (
            f"{name} is not the build of js/: run `cd js && npm ci && npm run build` and "
            "commit the result")
