"""A school's saved column map: ``--columns`` once, then applied to its later files.

``att import FILE --school LAESTAB --columns "upn=Pupil No,mark=Code,…" --save-columns`` (or
``att columns save``) keeps the mapping for that school (``store.column_maps``, one row per
field). A later ``att import --school LAESTAB`` without ``--columns`` uses it for each sheet whose
header has every mapped column; a sheet without them (a roster, say) is read by the usual
header detection, with a note. ``--columns`` given on the command line always wins. Each import
names the map it used in its notes and in the import log (``column_map``).
"""

from __future__ import annotations

from attendance_cli.config import os_user
from attendance_cli.errors import InvalidInputError, NotFoundError
from attendance_cli.registers.layouts import parse_column_map
from attendance_cli.store import Store, transaction
from attendance_cli.store import column_maps as store_maps
from attendance_cli.store.column_maps import SavedColumnMap

__all__ = [
    "SavedColumnMap",
    "forget_school_columns",
    "list_saved_columns",
    "normalise_laestab",
    "save_school_columns",
    "saved_columns_for",
]


def normalise_laestab(laestab: str) -> str:
    compact = "".join(laestab.split()).replace("/", "")
    if not (compact.isascii() and compact.isdigit() and len(compact) == 7):
        raise InvalidInputError(
            f"--school {laestab!r} is not a LAESTAB",
            hint="Give the 7-digit DfE number, e.g. 8994001.",
        )
    return compact


def save_school_columns(db: Store, *, laestab: str, columns: str) -> SavedColumnMap:
    """Check ``columns`` (as ``--columns`` takes it) and save it for the school, replacing any
    map saved before. The school must be known (imported from a roster or a register)."""
    school = normalise_laestab(laestab)
    mapping = parse_column_map(columns)
    if not mapping:
        raise InvalidInputError(
            "--columns is empty: there is no column map to save",
            hint='Give the map, e.g. --columns "upn=Pupil No,date=Day,session=AM/PM,mark=Code".',
        )
    if "upn" not in mapping:
        raise InvalidInputError(
            "a saved column map must say which column is the UPN (upn=HEADER)",
            hint="Every register row is matched to its pupil by UPN; add upn=… to --columns.",
        )
    with transaction(db):
        school_id = store_maps.school_id(db, school)
        if school_id is None:
            raise NotFoundError(
                f"No school {school} in the database",
                hint=f"Import one of its files first: att import FILE --school {school} "
                f'--columns "{columns}" --save-columns',
            )
        store_maps.save_column_map(db, school_id=school_id, columns=mapping, officer=os_user())
    saved = store_maps.column_map_for(db, school)
    assert saved is not None
    return saved


def forget_school_columns(db: Store, *, laestab: str) -> int:
    """Delete the school's saved map; the number of fields it had. NotFoundError if none."""
    school = normalise_laestab(laestab)
    with transaction(db):
        school_id = store_maps.school_id(db, school)
        removed = store_maps.forget_column_map(db, school_id=school_id) if school_id else 0
    if not removed:
        raise NotFoundError(
            f"No column map is saved for school {school}",
            hint="att columns list shows the schools that have one.",
        )
    return removed


def list_saved_columns(conn: Store) -> list[SavedColumnMap]:
    return store_maps.list_column_maps(conn)


def saved_columns_for(conn: Store, laestab: str) -> SavedColumnMap | None:
    return store_maps.column_map_for(conn, laestab)
