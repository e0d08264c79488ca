"""The headers the docs quote are the headers the server sends.

Every ``$ curl -i …`` (or ``-si``) in README.md and docs/web.md is replayed on the app, and
each header line quoted under it must be in the response, value for value (headers that
change with every request or build, and lines trimmed with ``…``, are not compared).
"""

import re
import shlex
from pathlib import Path

import pytest

from govkg.search import search_index_path

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", REPO / "docs" / "web.md"]
BASE = "http://127.0.0.1:8000"
CHANGING = {"date", "x-request-id", "server-timing", "etag", "content-length", "content-range",
            "digest", "last-modified", "content-security-policy"}
HEADER = re.compile(r"^([A-Za-z][A-Za-z0-9-]*): (.+)$")


def console_commands(path: Path) -> list[tuple[str, list[str]]]:
    """(command, output lines) for each ``$ `` command in the file's console blocks."""
    found: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", path.read_text(encoding="utf-8"), re.S):
        lines = block.splitlines()
        index = 0
        while index < len(lines):
            if not lines[index].startswith("$ "):
                index += 1
                continue
            command = lines[index][2:]
            while command.endswith("\\"):
                index += 1
                command = command[:-1] + " " + lines[index].strip()
            index += 1
            output = []
            while index < len(lines) and not lines[index].startswith("$ "):
                output.append(lines[index])
                index += 1
            found.append((command, output))
    return found


def replayable(command: str) -> dict | None:
    """The request a ``curl -i`` command makes, or None for commands not replayed here."""
    words = shlex.split(command.split(" | ")[0])
    if words[0] != "curl" or not any(w in ("-i", "-si", "-is") for w in words):
        return None
    if any(w.startswith("--data") or w == "-d" for w in words):
        return None
    request: dict = {"method": "GET", "headers": {}}
    items = iter(words[1:])
    for word in items:
        if word == "-X":
            request["method"] = next(items)
        elif word == "-H":
            name, _, value = next(items).partition(":")
            request["headers"][name.strip()] = value.strip()
        elif word.startswith(BASE):
            request["path"] = word[len(BASE):]
    return request


QUOTED = [(f"{path.name}: {command[:70]}", command, output) for path in DOCS
          for command, output in console_commands(path) if replayable(command)]


def test_the_docs_quote_responses():
    assert len(QUOTED) >= 3


@pytest.mark.parametrize(("name", "command", "output"), QUOTED, ids=[q[0] for q in QUOTED])
def test_quoted_headers_are_sent(client, name, command, output):
    request = replayable(command)
    assert request is not None
    response = client.open(request["path"], method=request["method"],
                           headers=request["headers"], base_url=BASE)
    response.close()  # a file (a dump) is read no further
    for line in output:
        if line.startswith("HTTP/1.1 "):
            assert response.status_code == int(line.split()[1]), line
            continue
        match = HEADER.match(line)
        if not match or "…" in line or match.group(1).lower() in CHANGING:
            continue
        name, value = match.groups()
        assert value in response.headers.getlist(name), (line, response.headers.getlist(name))


def test_the_search_index_file_is_named_as_documented(settings):
    shown = re.search(r"`(search-<build id>\.v\d+\.sqlite)`",
                      (REPO / "docs" / "web.md").read_text(encoding="utf-8"))
    assert shown is not None
    real = search_index_path(settings, "BUILD").name
    assert shown.group(1).replace("<build id>", "BUILD") == real
