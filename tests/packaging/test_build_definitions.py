"""The spec, the NSIS script and build.py agree on names, files and the version (always on)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nsis
import product
import prune
import pytest

import app
from app.paths import APP_AUTHOR, APP_NAME
from tests.packaging.paths import (
    BUILD_SCRIPT,
    ENTRY_DIR,
    PACKAGING_DIR,
    QT_OPENGL_STAND_INS,
    ROOT,
)
from tests.packaging.spec_runner import Built, run_spec

NSIS_DEFINE = re.compile(r'^\s*!define\s+(\w+)\s+"([^"]*)"', re.MULTILINE)
NSIS_REQUIRED = re.compile(r"^!insertmacro RequireDefine (\w+)$", re.MULTILINE)


def nsis_text() -> str:
    return product.NSIS_SCRIPT.read_text(encoding="utf-8")


def nsis_defines() -> dict[str, str]:
    """The script's own ``!define NAME "value"`` lines (defaults included)."""
    return dict(NSIS_DEFINE.findall(nsis_text()))


@pytest.fixture(scope="module")
def linux_spec(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return run_spec(tmp_path_factory.mktemp("spec-work"))


def test_the_packaged_version_is_the_apps_version() -> None:
    assert product.read_version() == app.__version__


@pytest.mark.parametrize(
    ("version", "numbers"),
    [("0.1.0", (0, 1, 0, 0)), ("1.2.3.4", (1, 2, 3, 4)), ("2.0.1rc1", (2, 0, 1, 0))],
)
def test_windows_version_has_four_numbers(version: str, numbers: tuple[int, ...]) -> None:
    assert product.windows_version(version) == numbers


def test_a_version_without_three_numbers_is_refused() -> None:
    with pytest.raises(product.ProductError, match=r"MAJOR\.MINOR\.PATCH"):
        product.windows_version("1.2")


def test_the_spec_builds_two_executables_over_one_folder(linux_spec: Built) -> None:
    names = [exe["name"] for exe in linux_spec.executables]
    assert names == [product.GUI_NAME, product.CLI_NAME]
    assert linux_spec.collect["name"] == product.BUNDLE_NAME
    assert len(linux_spec.analyses) == 1, "both executables share one analysis"
    contents = {exe["contents_directory"] for exe in linux_spec.executables}
    assert contents == {"_internal"}


def test_the_window_is_windowed_and_the_command_line_is_a_console(linux_spec: Built) -> None:
    assert linux_spec.executable(product.GUI_NAME)["console"] is False
    assert linux_spec.executable(product.CLI_NAME)["console"] is True


def test_each_executable_runs_its_own_entry_script_after_the_runtime_hooks(
    linux_spec: Built,
) -> None:
    gui = [s[0] for s in linux_spec.executable(product.GUI_NAME)["scripts"]]
    cli = [s[0] for s in linux_spec.executable(product.CLI_NAME)["scripts"]]
    assert gui == ["pyi_rth_example", "ekran_console"]
    assert cli == ["pyi_rth_example", "ekran_console_cli"]
    for script in linux_spec.analyses[0].scripts_in:
        assert Path(script).parent == ENTRY_DIR
        assert Path(script).is_file()


def test_the_spec_bundles_the_resources_the_code_looks_for(linux_spec: Built) -> None:
    datas = {Path(src).resolve(): dest for src, dest in linux_spec.analyses[0].kwargs["datas"]}
    assert datas[ROOT / "resources"] == "resources"  # ui/icons.py: resources_dir()
    assert datas[ROOT / "docs" / "openapi.yaml"] == "docs"  # simulator/openapi.py
    for source in datas:
        assert source.exists()


def test_the_spec_names_the_keyring_backends_and_excludes_other_qt_bindings(
    linux_spec: Built,
) -> None:
    kwargs = linux_spec.analyses[0].kwargs
    for backend in ("Windows", "SecretService", "macOS"):
        assert f"keyring.backends.{backend}" in kwargs["hiddenimports"]
    assert {"PyQt5", "PyQt6", "PySide2"} <= set(kwargs["excludes"])
    assert all(Path(folder).is_dir() for folder in kwargs["hookspath"])


def test_the_spec_leaves_qt_opengl_out_and_runs_its_stand_ins(linux_spec: Built) -> None:
    kwargs = linux_spec.analyses[0].kwargs
    for module in ("PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets"):
        assert module in kwargs["excludes"]
        assert module not in kwargs["hiddenimports"]
    assert [Path(hook) for hook in kwargs["runtime_hooks"]] == [QT_OPENGL_STAND_INS]
    assert QT_OPENGL_STAND_INS.is_file()


def test_the_spec_excludes_what_the_packages_hooks_would_still_name(linux_spec: Built) -> None:
    excludes = set(linux_spec.analyses[0].kwargs["excludes"])
    assert set(prune.UNUSED_SUBPACKAGES) <= excludes
    assert {"numpy.random", "numpy.fft"} <= excludes
    assert "numpy.ma" not in excludes, "np.median imports numpy.ma"
    for hook in ("hook-pydantic.py", "hook-pyqtgraph.py"):
        assert "prune.is_unused_module" in (PACKAGING_DIR / "hooks" / hook).read_text("utf-8")


def test_the_spec_drops_translations_and_unused_plugins_before_collecting(tmp_path: Path) -> None:
    kept_plugin = "PySide6/Qt/plugins/platforms/libqoffscreen.so"
    binaries = [
        (kept_plugin, "/src/libqoffscreen.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", "/src/libqeglfs.so", "BINARY"),
    ]
    datas = [("PySide6/Qt/translations/qtbase_de.qm", "/src/qtbase_de.qm", "DATA")]
    built = run_spec(tmp_path, binaries=binaries, datas=datas)
    assert built.analyses[0].binaries == [binaries[0]]
    assert built.analyses[0].datas == []


def test_the_spec_renders_the_icon_and_on_windows_writes_version_resources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    built = run_spec(tmp_path)
    icon = tmp_path / product.ICON_FILE_NAME
    assert icon.read_bytes()[:4] == b"\x00\x00\x01\x00"  # an .ico file
    for name in (product.GUI_NAME, product.CLI_NAME):
        exe = built.executable(name)
        assert exe["icon"] == str(icon)
        text = Path(exe["version"]).read_text(encoding="utf-8")
        assert f"StringStruct('ProductVersion', '{app.__version__}')" in text
        assert f"StringStruct('OriginalFilename', '{name}.exe')" in text


def test_the_installer_script_installs_what_the_spec_produces(linux_spec: Built) -> None:
    defines = nsis_defines()
    assert defines["GUI_EXE"] == product.exe_name(product.GUI_NAME, windows=True)
    assert defines["CLI_EXE"] == product.exe_name(product.CLI_NAME, windows=True)
    assert defines["CONTENTS_DIR"] == linux_spec.executables[0]["contents_directory"]
    assert defines["PRODUCT"] == product.PRODUCT_NAME
    assert defines["COMPANY"] == product.COMPANY_NAME
    assert defines["INSTALL_KEY"] == product.INSTALL_KEY


def test_the_installer_keeps_the_folders_the_console_saves_connections_in() -> None:
    # platformdirs on Windows: %APPDATA% and %LOCALAPPDATA% \ <author> \ <name>
    assert nsis_defines()["USER_DATA_SUBDIR"] == f"{APP_AUTHOR}\\{APP_NAME}"


def test_build_py_passes_every_define_the_installer_requires(tmp_path: Path) -> None:
    (tmp_path / "ekran-console.exe").write_bytes(b"")
    inputs = nsis.InstallerInputs.for_payload(
        tmp_path, tmp_path / "app.ico", tmp_path / "out", product.read_version()
    )
    defines = inputs.defines()
    assert set(NSIS_REQUIRED.findall(nsis_text())) <= set(defines)
    assert defines["VERSION"] == app.__version__
    assert defines["VERSION_QUAD"] == ".".join(map(str, product.windows_version(app.__version__)))
    assert inputs.out_file.name == f"EkranClusterConsole-{app.__version__}-setup.exe"
    assert defines["GUI_EXE"] == "ekran-console.exe"


def test_a_linux_payload_installer_says_so_and_installs_linux_executables(tmp_path: Path) -> None:
    (tmp_path / "ekran-console").write_bytes(b"")
    inputs = nsis.InstallerInputs.for_payload(tmp_path, tmp_path / "i.ico", tmp_path, "1.0.0")
    assert inputs.out_file.name == "EkranClusterConsole-1.0.0-linux-payload-setup.exe"
    assert (inputs.gui_exe, inputs.cli_exe) == ("ekran-console", "ekran-console-cli")


def test_the_installer_script_is_64_bit_unicode_per_user_and_solid_lzma() -> None:
    lines = {line.strip() for line in nsis_text().splitlines()}
    required = {
        "Unicode true",
        "Target amd64-unicode",
        "SetCompressor /SOLID lzma",
        "RequestExecutionLevel user",
        '!include "MUI2.nsh"',
    }
    assert required <= lines


def test_prune_rules_cover_every_platform_the_spec_may_run_on() -> None:
    for platform in ("linux", "win32", "darwin"):
        kept = prune.KEPT_PLUGINS[prune.platform_key(platform)]
        assert {"platforms", "imageformats", "iconengines"} <= set(kept)


def test_build_py_compiles_the_installer_around_an_existing_folder(tmp_path: Path) -> None:
    if nsis.find_makensis() is None:
        pytest.skip("makensis is not installed (apt-get install nsis)")
    payload = tmp_path / "dist" / product.BUNDLE_NAME
    (payload / "_internal").mkdir(parents=True)
    for name in (product.GUI_NAME, product.CLI_NAME):
        (payload / name).write_text("stand-in executable\n")
    result = subprocess.run(
        [
            *(sys.executable, str(BUILD_SCRIPT), "--skip-freeze", "--installer"),
            *("--dist", str(tmp_path / "dist"), "--work", str(tmp_path / "work")),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    expected = product.installer_name(app.__version__, windows_payload=False)
    assert (tmp_path / "dist" / expected).is_file()


def test_build_py_refuses_to_skip_freezing_without_a_frozen_folder(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--skip-freeze", "--dist", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "no frozen folder" in result.stderr
