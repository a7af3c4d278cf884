"""CMS reference data (NCCI, MUE, HCPCS, ICD-10-CM order files) for the night's checks.

:func:`location_of` says where the installed releases are (a folder or an S3 prefix, from
the settings); :func:`~flows.reference.loader.load_reference` reads them once per process;
:mod:`flows.reference.install` installs new ones; :mod:`flows.reference.releases` tells
whether a date of service is covered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.reference.loader import FolderLocation, Location, Reference, load_reference

if TYPE_CHECKING:
    from flows.settings import Settings


def location_of(settings: Settings) -> Location:
    """The S3 prefix when one is set, else the folder (``DATA_DIR/reference`` by default)."""
    if settings.reference_s3_prefix:
        from flows.reference.loader import S3Location
        from flows.s3 import S3Store

        return S3Location(S3Store.from_env(), settings.reference_s3_prefix)
    return FolderLocation(settings.reference_dir or settings.data_dir / "reference")


__all__ = ["FolderLocation", "Location", "Reference", "load_reference", "location_of"]
