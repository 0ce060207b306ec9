"""The Windows version resource of both executables, as PyInstaller's text format.

PyInstaller reads this text with ``eval`` against the classes of
``PyInstaller.utils.win32.versioninfo`` (importable on Windows only), so the text is
generated here from the product's metadata and written to a file the spec passes as
``version=`` when building on Windows.
"""

from __future__ import annotations

import product

LANGUAGE_CODEPAGE = "040904B0"  # U.S. English, Unicode
TRANSLATION = (0x0409, 1200)
COPYRIGHT = f"Copyright © {product.COMPANY_NAME}"


def version_file_text(version: str, *, description: str, original_filename: str) -> str:
    """The version resource of one executable, in PyInstaller's ``version=`` file format.

    ``version`` is the package version (``app.__version__``); it is shown as is in the
    string fields and as four numbers (``product.windows_version``) in the fixed fields.
    """
    numbers = product.windows_version(version)
    strings = {
        "CompanyName": product.COMPANY_NAME,
        "FileDescription": description,
        "FileVersion": version,
        "InternalName": original_filename.removesuffix(".exe"),
        "LegalCopyright": COPYRIGHT,
        "OriginalFilename": original_filename,
        "ProductName": product.PRODUCT_NAME,
        "ProductVersion": version,
    }
    string_structs = ",\n".join(
        f"          StringStruct({key!r}, {value!r})" for key, value in strings.items()
    )
    return f"""# UTF-8
VSVersionInfo(
  ffi=FixedFileInfo(
    filevers={numbers!r},
    prodvers={numbers!r},
    mask=0x3f,
    flags=0x0,
    OS=0x40004,
    fileType=0x1,
    subtype=0x0,
    date=(0, 0)
  ),
  kids=[
    StringFileInfo([
      StringTable({LANGUAGE_CODEPAGE!r}, [
{string_structs}
      ])
    ]),
    VarFileInfo([VarStruct('Translation', [{TRANSLATION[0]}, {TRANSLATION[1]}])])
  ]
)
"""
