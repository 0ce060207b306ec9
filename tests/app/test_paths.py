"""AppPaths: the console home override and the platform folders."""

from __future__ import annotations

from pathlib import Path

import pytest
from platformdirs import PlatformDirs

from app.paths import APP_AUTHOR, APP_NAME, HOME_ENV_VAR, AppPaths


def test_console_home_holds_every_folder(tmp_path: Path) -> None:
    paths = AppPaths.default({HOME_ENV_VAR: str(tmp_path)})
    assert paths == AppPaths(
        config_dir=tmp_path / "config",
        data_dir=tmp_path / "data",
        log_dir=tmp_path / "logs",
        cache_dir=tmp_path / "cache",
    )


def test_console_home_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOME_ENV_VAR, str(tmp_path / "portable"))
    assert AppPaths.default().config_dir == tmp_path / "portable" / "config"


def test_relative_console_home_is_made_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    paths = AppPaths.default({HOME_ENV_VAR: "portable"})
    assert paths.data_dir == tmp_path / "portable" / "data"
    assert paths.data_dir.is_absolute()


@pytest.mark.parametrize("value", ["", "   "])
def test_blank_console_home_means_the_platform_folders(value: str) -> None:
    roaming = PlatformDirs(APP_NAME, APP_AUTHOR, roaming=True)
    local = PlatformDirs(APP_NAME, APP_AUTHOR)
    assert AppPaths.default({HOME_ENV_VAR: value}) == AppPaths(
        config_dir=roaming.user_config_path,
        data_dir=local.user_data_path,
        log_dir=local.user_log_path,
        cache_dir=local.user_cache_path,
    )


def test_platform_folders_are_named_for_the_application() -> None:
    paths = AppPaths.default({})
    for folder in (paths.config_dir, paths.data_dir, paths.log_dir, paths.cache_dir):
        assert APP_NAME in folder.parts
        assert folder.is_absolute()


def test_nothing_is_created_until_ensure(tmp_path: Path) -> None:
    paths = AppPaths.under(tmp_path / "home")
    assert not (tmp_path / "home").exists()
    assert paths.ensure() is paths
    for folder in (paths.config_dir, paths.data_dir, paths.log_dir, paths.cache_dir):
        assert folder.is_dir()


def test_only_a_console_home_is_portable(tmp_path: Path) -> None:
    assert AppPaths.default({HOME_ENV_VAR: str(tmp_path)}).portable
    assert AppPaths.under(tmp_path).portable
    assert not AppPaths.default({}).portable
