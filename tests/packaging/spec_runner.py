"""Run ``packaging/ekran-console.spec`` with stand-ins for PyInstaller's build classes.

The spec is executed as PyInstaller would execute it (same globals), but ``Analysis``,
``PYZ``, ``EXE`` and ``COLLECT`` only record what they were asked to build, so a test can
check the executables' names, entry scripts, data files and filtering in a second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.packaging.paths import PACKAGING_DIR

SPEC_FILE = PACKAGING_DIR / "ekran-console.spec"
RUNTIME_HOOK = ("pyi_rth_example", "/hooks/pyi_rth_example.py", "PYSOURCE")


@dataclass
class FakeAnalysis:
    """Records its arguments; offers the TOC lists the spec filters and passes on."""

    scripts_in: list[str]
    kwargs: dict[str, Any]
    binaries: list[tuple[str, str, str]] = field(default_factory=list)
    datas: list[tuple[str, str, str]] = field(default_factory=list)
    pure: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def scripts(self) -> list[tuple[str, str, str]]:
        entries = [(Path(s).stem, s, "PYSOURCE") for s in self.scripts_in]
        return [RUNTIME_HOOK, *entries]


@dataclass
class Built:
    """What one spec run asked PyInstaller for."""

    analyses: list[FakeAnalysis] = field(default_factory=list)
    executables: list[dict[str, Any]] = field(default_factory=list)
    collect: dict[str, Any] = field(default_factory=dict)
    collect_parts: list[Any] = field(default_factory=list)

    def executable(self, name: str) -> dict[str, Any]:
        return next(exe for exe in self.executables if exe["name"] == name)


def run_spec(
    workpath: Path,
    *,
    binaries: list[tuple[str, str, str]] | None = None,
    datas: list[tuple[str, str, str]] | None = None,
) -> Built:
    """Execute the spec; the fake analysis starts with ``binaries`` and ``datas``."""
    built = Built()

    def analysis(scripts: list[str], **kwargs: Any) -> FakeAnalysis:
        made = FakeAnalysis(list(scripts), kwargs, list(binaries or []), list(datas or []))
        built.analyses.append(made)
        return made

    def pyz(pure: Any) -> tuple[str, Any]:
        return ("PYZ", pure)

    def exe(pyz_archive: Any, scripts: Any, *rest: Any, **kwargs: Any) -> dict[str, Any]:
        record = {"pyz": pyz_archive, "scripts": list(scripts), **kwargs}
        built.executables.append(record)
        return record

    def collect(*parts: Any, **kwargs: Any) -> None:
        built.collect_parts.extend(parts)
        built.collect.update(kwargs)

    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "SPECPATH": str(PACKAGING_DIR),
        "SPEC": str(SPEC_FILE),
        "workpath": str(workpath),
        "Analysis": analysis,
        "PYZ": pyz,
        "EXE": exe,
        "COLLECT": collect,
    }
    exec(compile(SPEC_FILE.read_text(encoding="utf-8"), str(SPEC_FILE), "exec"), namespace)
    return built
