"""Where the console keeps its files: configuration, data, logs and cache.

An ``AppPaths`` value is built once at start-up (``AppPaths.default()``) and passed to
whatever needs a folder; nothing else looks up folders on its own.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "EkranClusterConsole"
APP_AUTHOR = "Ekran System"
HOME_ENV_VAR = "EKRAN_CONSOLE_HOME"
"""When set (and not empty), every folder lives under this one: portable installs and tests."""


@dataclass(frozen=True)
class AppPaths:
    """The four folders of the console; all absolute, none created until ``ensure()``.

    ``portable`` is True when every folder lives under one home (``EKRAN_CONSOLE_HOME``, a
    demo run): whatever else the console writes (the window's settings) goes there too
    instead of the platform's usual place (the registry on Windows).
    """

    config_dir: Path
    data_dir: Path
    log_dir: Path
    cache_dir: Path
    portable: bool = field(default=False, compare=False)

    @classmethod
    def default(cls, environ: Mapping[str, str] | None = None) -> AppPaths:
        """The folders for this user: under ``EKRAN_CONSOLE_HOME`` if set, else the platform's.

        On Windows configuration is roaming (it follows the user's profile); data, logs and
        cache stay on the machine. ``environ`` defaults to ``os.environ``.
        """
        env = os.environ if environ is None else environ
        home = env.get(HOME_ENV_VAR, "").strip()
        if home:
            return cls.under(Path(home))
        roaming = PlatformDirs(APP_NAME, APP_AUTHOR, roaming=True)
        local = PlatformDirs(APP_NAME, APP_AUTHOR, roaming=False)
        return cls(
            config_dir=roaming.user_config_path,
            data_dir=local.user_data_path,
            log_dir=local.user_log_path,
            cache_dir=local.user_cache_path,
        )

    @classmethod
    def under(cls, home: Path) -> AppPaths:
        """All folders as sub-folders of ``home`` (``~`` expanded, made absolute)."""
        root = home.expanduser().absolute()
        return cls(
            config_dir=root / "config",
            data_dir=root / "data",
            log_dir=root / "logs",
            cache_dir=root / "cache",
            portable=True,
        )

    def ensure(self) -> AppPaths:
        """Create any missing folder, private to the user where the platform allows it.

        Returns ``self`` so ``AppPaths.default().ensure()`` reads naturally.
        """
        for folder in (self.config_dir, self.data_dir, self.log_dir, self.cache_dir):
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self
