"""The store's foundation: transactions and locks, Core and raw statements on one connection,
chunking, and the one conversion of dates to text."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from attendance_cli.errors import DatabaseError
from attendance_cli.store import (
    CHUNK_SIZE,
    LOCK_AUDIT_CHAIN,
    LOCK_PENALTY_NOTICES,
    Store,
    chunked,
    open_store,
    transaction,
    writing,
)
from attendance_cli.store.conversions import (
    date_text,
    now_text,
    timestamp_text,
    to_bool,
    to_date,
    to_datetime,
)
from tests.helpers import connect_to, is_postgres

STAMP = dt.datetime(2026, 1, 2, 3, 4, 5, 600, tzinfo=dt.UTC)


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened, _ = open_store(db_path)
    yield opened
    opened.close()


def _add_school(store: Store, laestab: str, *, core: bool) -> None:
    if core:
        from sqlalchemy import insert

        from attendance_cli.db.models import School

        store.execute(
            insert(School.__table__).values(laestab=laestab, name=laestab, created_at=STAMP)
        )
    else:
        store.connection.execute(
            "INSERT INTO school (laestab, name, created_at) VALUES (?, ?, ?)",
            (laestab, laestab, now_text()),
        )


def _laestabs(path: Path) -> list[str]:
    other = connect_to(path)
    try:
        return [r[0] for r in other.execute("SELECT laestab FROM school ORDER BY laestab")]
    finally:
        other.close()


@pytest.mark.parametrize("core", [True, False], ids=["core", "raw"])
def test_a_transaction_commits_whole_or_not_at_all(store: Store, db_path: Path, core: bool) -> None:
    with transaction(store):
        _add_school(store, "1000001", core=core)
        _add_school(store, "1000002", core=core)
    with pytest.raises(RuntimeError), transaction(store):
        _add_school(store, "1000003", core=core)
        raise RuntimeError("stop")
    assert _laestabs(db_path) == ["1000001", "1000002"]


def test_sqlalchemy_cannot_end_the_stores_transaction(store: Store, db_path: Path) -> None:
    with pytest.raises(RuntimeError), writing(store, LOCK_AUDIT_CHAIN):
        _add_school(store, "1000001", core=True)
        store.core.commit()  # what SQLAlchemy does when its own autobegun transaction ends
        assert _laestabs(db_path) == []  # not committed: another connection cannot see it
        raise RuntimeError("stop")
    assert _laestabs(db_path) == []
    with writing(store, LOCK_AUDIT_CHAIN):
        _add_school(store, "1000002", core=True)
        store.core.rollback()
    assert _laestabs(db_path) == ["1000002"]


def test_a_nested_block_is_a_savepoint(store: Store, db_path: Path) -> None:
    with transaction(store):
        _add_school(store, "1000001", core=False)
        with pytest.raises(RuntimeError), writing(store, LOCK_PENALTY_NOTICES):
            _add_school(store, "1000002", core=True)
            raise RuntimeError("inner fails")
        with writing(store, LOCK_PENALTY_NOTICES):
            _add_school(store, "1000003", core=True)
        assert _laestabs(db_path) == []  # nothing visible before the outermost block commits
    assert _laestabs(db_path) == ["1000001", "1000003"]
    assert store.savepoints == 0


@pytest.mark.sqlite_only
def test_writing_holds_the_database_write_lock(store: Store, db_path: Path) -> None:
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    try:
        with writing(store, LOCK_AUDIT_CHAIN):
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            # readers are not blocked (WAL)
            assert other.execute("SELECT count(*) FROM school").fetchone() == (0,)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()


@pytest.mark.sqlite_only
def test_a_busy_database_is_a_database_error(store: Store, db_path: Path) -> None:
    other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
    store.connection.execute("PRAGMA busy_timeout = 0")
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseError, match="busy"), writing(store, LOCK_AUDIT_CHAIN):
            pass
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_writing_holds_advisory_locks_on_postgres(store: Store, db_path: Path) -> None:
    """On PostgreSQL, writing() holds the writers' lock and one per name until the outermost
    block ends; readers are not blocked."""
    from attendance_cli.db.postgres import lock_key
    from attendance_cli.store.transactions import LOCK_WRITERS

    if not is_postgres(db_path):
        pytest.skip("PostgreSQL's advisory locks (SQLite: the test above)")
    other = connect_to(db_path)

    def free(name: str) -> bool:
        other.execute("BEGIN")
        try:
            return bool(
                other.execute("SELECT pg_try_advisory_xact_lock(?)", (lock_key(name),)).fetchone()[
                    0
                ]
            )
        finally:
            other.execute("ROLLBACK")

    try:
        with transaction(store):
            assert not free(LOCK_WRITERS) and free(LOCK_AUDIT_CHAIN)
            with writing(store, LOCK_AUDIT_CHAIN):  # nested: taken now, held to the end
                pass
            assert not free(LOCK_AUDIT_CHAIN) and free(LOCK_PENALTY_NOTICES)
            assert other.execute("SELECT count(*) FROM school").fetchone() == (0,)
        assert free(LOCK_WRITERS) and free(LOCK_AUDIT_CHAIN)
    finally:
        other.close()


def test_a_read_only_role_gets_a_clear_error(store: Store, db_path: Path) -> None:
    """A role with SELECT only: reading works, a write is "You have read-only access"."""
    if not is_postgres(db_path):
        pytest.skip("PostgreSQL roles")
    from attendance_cli.db import postgres

    conn = store.connection
    conn.execute("DROP ROLE IF EXISTS att_test_reader")
    conn.execute("CREATE ROLE att_test_reader LOGIN")
    conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO att_test_reader")
    reader_url = db_path.url.replace(
        "postgresql+psycopg://att_test@", "postgresql+psycopg://att_test_reader@"
    )
    reader = Store(postgres.connect(postgres.parse_database_url(reader_url)))
    try:
        assert reader.connection.execute("SELECT count(*) FROM school").fetchone() == (0,)
        with pytest.raises(DatabaseError, match="You have read-only access"), transaction(reader):
            _add_school(reader, "1000001", core=True)
    finally:
        reader.close()
        conn.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM att_test_reader")
        conn.execute("DROP ROLE att_test_reader")


def test_lock_names_must_be_given_as_text(store: Store) -> None:
    with pytest.raises(ValueError, match="lock names"), writing(store, ""):
        pass


def test_a_core_statement_raises_the_drivers_error(store: Store) -> None:
    _add_school(store, "1000001", core=False)
    if store.dialect == "postgresql":
        import psycopg

        expected: type[Exception] = psycopg.errors.UniqueViolation
    else:
        expected = sqlite3.IntegrityError
    with pytest.raises(expected, match="UNIQUE|unique"):
        _add_school(store, "1000001", core=True)


def test_core_and_raw_statements_write_the_same_text(store: Store) -> None:
    """The conversions write dates and timestamps exactly as SQLAlchemy's types do."""
    from sqlalchemy import insert, select

    from attendance_cli.db.models import Enrolment, Pupil, School

    _add_school(store, "1000001", core=True)
    store.execute(
        insert(Pupil.__table__).values(
            upn="A123456789012", created_at=STAMP, updated_at=STAMP, date_of_birth=None
        )
    )
    store.execute(
        insert(Enrolment.__table__).values(
            pupil_id=1, school_id=1, entry_date=dt.date(2025, 9, 3), leaving_date=None
        )
    )
    raw = store.connection.execute("SELECT created_at FROM school").fetchone()[0]
    assert raw == "2026-01-02 03:04:05.000600" == timestamp_text(STAMP)
    entry = store.connection.execute("SELECT entry_date FROM enrolment").fetchone()[0]
    assert entry == "2025-09-03" == date_text(dt.date(2025, 9, 3))
    core_stamp = store.execute(select(School.__table__.c.created_at)).scalar_one()
    assert core_stamp == to_datetime(raw) == STAMP
    core_entry = store.execute(select(Enrolment.__table__.c.entry_date)).scalar_one()
    assert core_entry == to_date(entry) == dt.date(2025, 9, 3)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param("2025-09-03", dt.date(2025, 9, 3), id="iso-date"),
        pytest.param("2025-09-03 10:11:12.000000", dt.date(2025, 9, 3), id="timestamp"),
        pytest.param(dt.date(2024, 2, 29), dt.date(2024, 2, 29), id="already-a-date"),
        pytest.param(dt.datetime(2024, 2, 29, 23, 0), dt.date(2024, 2, 29), id="a-datetime"),
        pytest.param(None, None, id="null"),
        pytest.param("", None, id="blank"),
    ],
)
def test_to_date(given: object, expected: dt.date | None) -> None:
    assert to_date(given) == expected  # type: ignore[arg-type]


def test_timestamps_are_utc() -> None:
    bst = dt.timezone(dt.timedelta(hours=1))
    assert (
        timestamp_text(dt.datetime(2026, 6, 1, 9, 30, tzinfo=bst)) == "2026-06-01 08:30:00.000000"
    )
    assert timestamp_text(dt.datetime(2026, 6, 1, 9, 30)) == "2026-06-01 09:30:00.000000"
    assert to_datetime("2026-06-01 08:30:00.000000") == dt.datetime(
        2026, 6, 1, 8, 30, tzinfo=dt.UTC
    )
    assert date_text(None) is None and timestamp_text(None) is None and to_datetime(None) is None
    assert to_bool(0) is False and to_bool(1) is True and to_bool(None) is None
    assert len(now_text()) == len("2026-06-01 08:30:00.000000")


@pytest.mark.parametrize(
    ("count", "sizes"),
    [
        pytest.param(0, [], id="none"),
        pytest.param(1, [1], id="one"),
        pytest.param(CHUNK_SIZE, [CHUNK_SIZE], id="exactly-one-chunk"),
        pytest.param(2 * CHUNK_SIZE + 5, [CHUNK_SIZE, CHUNK_SIZE, 5], id="two-and-a-bit"),
    ],
)
def test_chunked(count: int, sizes: list[int]) -> None:
    pieces = list(chunked(range(count)))
    assert [len(p) for p in pieces] == sizes
    assert [v for p in pieces for v in p] == list(range(count))
    assert CHUNK_SIZE == 10_000


def test_open_store_reports_a_new_database(tmp_path: Path) -> None:
    store, result = open_store(tmp_path / "new" / "att.sqlite")
    try:
        assert result.created
        assert store.connection.execute("SELECT count(*) FROM school").fetchone() == (0,)
    finally:
        store.close()


def test_the_store_package_does_not_import_sqlalchemy() -> None:
    code = (
        "import sys; import attendance_cli.store, attendance_cli.store.transactions\n"
        "print(','.join(m for m in ('sqlalchemy', 'sqlmodel') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
