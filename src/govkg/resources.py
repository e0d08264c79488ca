"""Where govkg's sources live: ontology, data, shapes and the report text.

An installed wheel carries them under ``govkg/resources``; a source checkout has them at
the top of the repository. ``--root DIR`` points at any directory with the same layout.
"""

from dataclasses import dataclass
from pathlib import Path

REPORT_PATH = Path("data/source/report.zh.txt")


def default_root() -> Path:
    """The bundled sources: inside the installed package, else the source checkout."""
    packaged = Path(__file__).parent / "resources"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Sources:
    """The files each named graph is built from."""

    root: Path
    ontology: tuple[Path, ...]
    data: tuple[Path, ...]
    editorial: tuple[Path, ...]
    external: tuple[Path, ...]
    shapes: tuple[Path, ...]
    report: Path

    def all_files(self) -> tuple[Path, ...]:
        return (*self.ontology, *self.data, *self.editorial, *self.external, *self.shapes,
                self.report)


def find_sources(root: Path | None = None) -> Sources:
    """List the source files under ``root`` in a stable order."""
    root = Path(root) if root else default_root()
    return Sources(
        root=root,
        ontology=tuple(sorted((root / "ontology").glob("*.ttl"))),
        data=tuple(sorted((root / "data").glob("*.ttl"))),
        editorial=tuple(sorted((root / "data" / "editorial").glob("*.ttl"))),
        external=tuple(sorted((root / "data" / "external").glob("*.ttl"))),
        shapes=tuple(sorted((root / "shapes").glob("*.ttl"))),
        report=root / REPORT_PATH,
    )
