"""The app icon rendered for Windows, and the executables' version resource."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import app_icon
import product
import pytest
import version_resource

import app
from tests.packaging.paths import PACKAGING_DIR

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_ico(data: bytes) -> list[tuple[int, bytes]]:
    """``(size, image bytes)`` for each image of an ``.ico`` file."""
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    images = []
    for index in range(count):
        width, height, _, _, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        assert width == height
        assert (planes, bits) == (1, 32)
        images.append((width or 256, data[offset : offset + length]))
    return images


def bitmap_pixel(image: bytes, size: int, x: int, y: int) -> tuple[int, int, int, int]:
    """BGRA of pixel (x, y), counted from the top left, of an icon bitmap."""
    header_size = struct.unpack_from("<I", image)[0]
    row_from_bottom = size - 1 - y
    start = header_size + (row_from_bottom * size + x) * 4
    b, g, r, a = image[start : start + 4]
    return b, g, r, a


@pytest.fixture(scope="module")
def rendered_icon(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("icon") / "app.ico"
    subprocess.run(
        [sys.executable, str(PACKAGING_DIR / "app_icon.py"), str(product.APP_ICON_SVG), str(out)],
        check=True,
        timeout=120,
    )
    return out.read_bytes()


def test_the_icon_holds_every_size_windows_asks_for(rendered_icon: bytes) -> None:
    images = read_ico(rendered_icon)
    assert [size for size, _ in images] == list(app_icon.ICO_SIZES)
    for size, image in images:
        if size >= app_icon.PNG_FROM_SIZE:
            assert image.startswith(PNG_SIGNATURE)
        else:
            header = struct.unpack_from("<IiiHH", image)
            assert header == (40, size, size * 2, 1, 32)


def test_the_icon_is_drawn_with_transparent_corners(rendered_icon: bytes) -> None:
    image = dict(read_ico(rendered_icon))[48]
    assert bitmap_pixel(image, 48, 0, 0)[3] == 0
    assert bitmap_pixel(image, 48, 24, 24)[3] == 255


def test_a_missing_svg_is_a_one_line_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(PACKAGING_DIR / "app_icon.py"), str(tmp_path / "no.svg"), "x.ico"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip().endswith("is missing")


def test_an_icon_image_larger_than_256_pixels_is_refused() -> None:
    with pytest.raises(app_icon.IconError):
        app_icon.ico_bytes([(512, b"")])


class Recorded:
    """Stands in for one of PyInstaller's version-resource classes."""

    def __init__(self, kind: str, *args: Any, **kwargs: Any) -> None:
        self.kind, self.args, self.kwargs = kind, args, kwargs


def evaluate_version_text(text: str) -> Recorded:
    names = (
        "VSVersionInfo",
        "FixedFileInfo",
        "StringFileInfo",
        "StringTable",
        "StringStruct",
        "VarFileInfo",
        "VarStruct",
    )
    namespace = {name: (lambda *a, _n=name, **k: Recorded(_n, *a, **k)) for name in names}
    info = eval(text, namespace)  # the format PyInstaller itself reads with eval()
    assert isinstance(info, Recorded)
    return info


def test_the_version_resource_carries_the_apps_version_and_names() -> None:
    text = version_resource.version_file_text(
        app.__version__, description="Ekran Cluster Console", original_filename="ekran-console.exe"
    )
    info = evaluate_version_text(text)
    fixed = info.kwargs["ffi"]
    numbers = product.windows_version(app.__version__)
    assert fixed.kwargs["filevers"] == numbers
    assert fixed.kwargs["prodvers"] == numbers
    table = info.kwargs["kids"][0].args[0][0]
    strings = {s.args[0]: s.args[1] for s in table.args[1]}
    assert strings["CompanyName"] == "Ekran System"
    assert strings["ProductName"] == "Ekran Cluster Console"
    assert strings["FileVersion"] == strings["ProductVersion"] == app.__version__
    assert strings["OriginalFilename"] == "ekran-console.exe"
