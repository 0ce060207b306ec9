"""Render the app icon (``resources/icons/app.svg``) into a Windows ``.ico`` file.

Uses PySide6's SVG renderer, so the build needs no image tools. The ``.ico`` holds the
sizes Windows asks for (16 to 256 pixels): small sizes as 32-bit bitmaps, 256 pixels as
PNG, the layout Windows' own tools write. Run as a script:
``python packaging/app_icon.py SVG OUT.ico``.
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 256)
PNG_FROM_SIZE = 256  # sizes from here up are stored as PNG, smaller ones as bitmaps

_ICONDIR = struct.Struct("<HHH")
_ICONDIRENTRY = struct.Struct("<BBBBHHII")
_BITMAPINFOHEADER = struct.Struct("<IiiHHIIiiII")


class IconError(Exception):
    """The icon could not be rendered; the message is one line."""


def render_rgba(svg: Path, size: int) -> bytes:
    """``svg`` rendered to a ``size``-pixel square: rows top to bottom, BGRA bytes per pixel.

    Needs a ``QGuiApplication`` (see ``write_ico``).
    """
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise IconError(f"{svg} is not a valid SVG image")
    image = QImage(size, size, QImage.Format.Format_ARGB32)  # BGRA in memory, little-endian
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return bytes(image.constBits())[: size * size * 4]


def png_bytes(bgra: bytes, size: int) -> bytes:
    """The same pixels (BGRA rows, top to bottom) encoded as PNG."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImage

    image = QImage(bgra, size, size, size * 4, QImage.Format.Format_ARGB32)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # stubs say bytes; takes str
        raise IconError(f"could not encode the {size}-pixel icon as PNG")
    buffer.close()
    return bytes(data.data())


def bitmap_bytes(bgra: bytes, size: int) -> bytes:
    """An icon bitmap: header, BGRA rows bottom to top, then an all-zero AND mask."""
    stride = size * 4
    rows = [bgra[row * stride : (row + 1) * stride] for row in range(size)]
    mask_stride = ((size + 31) // 32) * 4
    header = _BITMAPINFOHEADER.pack(_BITMAPINFOHEADER.size, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    return header + b"".join(reversed(rows)) + bytes(mask_stride * size)


def ico_bytes(images: Iterable[tuple[int, bytes]]) -> bytes:
    """An ``.ico`` file from ``(size, encoded image)`` pairs (bitmap or PNG), in order."""
    entries = list(images)
    offset = _ICONDIR.size + _ICONDIRENTRY.size * len(entries)
    directory = [_ICONDIR.pack(0, 1, len(entries))]
    for size, data in entries:
        if not 1 <= size <= 256:
            raise IconError(f"an icon image must be 1 to 256 pixels, not {size}")
        edge = 0 if size == 256 else size  # 0 means 256 in an icon directory
        directory.append(_ICONDIRENTRY.pack(edge, edge, 0, 0, 1, 32, len(data), offset))
        offset += len(data)
    return b"".join(directory) + b"".join(data for _, data in entries)


def write_ico(svg: Path, out: Path, sizes: Sequence[int] = ICO_SIZES) -> Path:
    """Render ``svg`` at ``sizes`` and write ``out``; returns ``out``.

    Creates an offscreen ``QGuiApplication`` when none exists.
    """
    from PySide6.QtGui import QGuiApplication

    if not svg.is_file():
        raise IconError(f"the app icon {svg} is missing")
    app = QGuiApplication.instance() or QGuiApplication(["app_icon", "-platform", "offscreen"])
    images: list[tuple[int, bytes]] = []
    for size in sizes:
        pixels = render_rgba(svg, size)
        encoded = png_bytes(pixels, size) if size >= PNG_FROM_SIZE else bitmap_bytes(pixels, size)
        images.append((size, encoded))
    del app
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(ico_bytes(images))
    return out


def main(argv: Sequence[str]) -> int:
    """``app_icon.py SVG OUT.ico``: 0 on success, 1 with a message otherwise."""
    if len(argv) != 2:
        print("usage: app_icon.py SVG OUT.ico", file=sys.stderr)
        return 2
    try:
        write_ico(Path(argv[0]), Path(argv[1]))
    except (IconError, OSError) as error:
        print(f"app icon: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
