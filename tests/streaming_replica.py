"""A real PostgreSQL streaming replica of the test server, on this machine, for the
read-replica tests (runtime/replica.py).

`pg_basebackup -R` copies the primary (the server DATABASE_URL names, on 127.0.0.1)
into a temporary directory with a replication slot, and a second postmaster serves it
on a free port as a hot standby. The primary must accept replication connections from
127.0.0.1 (pg_hba.conf: `host replication all 127.0.0.1/32 trust`, see
docs/operating/scaling.md); when it does not, `start` skips with one line saying so.
The slot is dropped and the directory removed when the replica is stopped; slots left
by a killed run (named after a process that no longer exists) are dropped first.
"""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

SLOT_PREFIX = "custodian_test_replica_"
# Settings a hot standby may not set lower than its primary.
PRIMARY_MINIMUMS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_postgres() -> list[str]:
    """PostgreSQL's servers refuse to run as root: run them as `postgres` then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class StreamingReplica:
    def __init__(self, primary: dict):
        self.primary = primary  # Django's settings_dict of the primary
        self.port = _free_port()
        self.slot = f"{SLOT_PREFIX}{os.getpid()}"
        self.directory: Path | None = None
        self.bin: Path | None = None

    # -- connections -------------------------------------------------------------------
    def _primary_dsn(self, database: str = "postgres") -> str:
        return (
            f"host={self.primary['HOST'] or '127.0.0.1'} port={self.primary['PORT'] or 5432} "
            f"user={self.primary['USER'] or 'postgres'} dbname={database}"
        )

    def primary_sql(self, sql: str, params=()):
        with psycopg.connect(self._primary_dsn(), autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()

    def replica_sql(self, sql: str, params=()):
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as connection:
            return connection.execute(sql, params).fetchall()

    def settings_dict(self) -> dict:
        """The primary's test database, as the replica serves it."""
        return {**self.primary, "HOST": "127.0.0.1", "PORT": str(self.port), "TEST": {}}

    # -- lifecycle -----------------------------------------------------------------------
    def _binaries(self) -> Path:
        major = int(self.primary_sql("SHOW server_version_num")[0][0]) // 10000
        found = sorted(glob.glob(f"/usr/lib/postgresql/{major}/bin/pg_basebackup"))
        if not found:
            pytest.skip(f"no PostgreSQL {major} server binaries under /usr/lib/postgresql")
        return Path(found[0]).parent

    def _drop_stale_slots(self) -> None:
        for (name,) in self.primary_sql(
            "SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE %s AND NOT active",
            (SLOT_PREFIX + "%",),
        ):
            pid = int(name.removeprefix(SLOT_PREFIX))
            if pid != os.getpid() and not Path(f"/proc/{pid}").exists():
                self.primary_sql("SELECT pg_drop_replication_slot(%s)", (name,))

    def start(self) -> "StreamingReplica":
        self.bin = self._binaries()
        self._drop_stale_slots()
        self.directory = Path(tempfile.mkdtemp(prefix="custodian-replica-"))
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        data = self.directory / "data"
        backup = subprocess.run(  # noqa: S603 (our own command line)
            [*_as_postgres(), str(self.bin / "pg_basebackup"),
             "-h", self.primary["HOST"] or "127.0.0.1", "-p", str(self.primary["PORT"] or 5432),
             "-U", self.primary["USER"] or "postgres", "-D", str(data),
             "-R", "-X", "stream", "-c", "fast", "--no-sync", "-C", "-S", self.slot],
            capture_output=True, text=True, cwd="/", timeout=600,
        )  # fmt: skip
        if backup.returncode != 0:
            self.stop()
            if "replication connection" in backup.stderr and "pg_hba.conf" in backup.stderr:
                pytest.skip(
                    "the primary refuses replication from 127.0.0.1: add `host replication "
                    "all 127.0.0.1/32 trust` to its pg_hba.conf (docs/operating/scaling.md)"
                )
            raise RuntimeError(f"pg_basebackup failed: {backup.stderr.strip()}")
        minimums = "".join(
            f"{name} = {self.primary_sql(f'SHOW {name}')[0][0]}\n" for name in PRIMARY_MINIMUMS
        )
        (data / "postgresql.conf").write_text(
            f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.directory}'\nhot_standby = on\n"
            "fsync = off\nshared_buffers = 32MB\nwal_receiver_status_interval = 1s\n"
            f"{minimums}"
        )
        (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
        if os.geteuid() == 0:
            for name in ("postgresql.conf", "pg_hba.conf"):
                shutil.chown(data / name, "postgres", "postgres")
        self.resume()
        return self

    def resume(self) -> None:
        """Start (or restart) the replica's postmaster and wait until it answers."""
        subprocess.run(  # noqa: S603 (our own command line)
            [*_as_postgres(), str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"),
             "-l", str(self.directory / "log"), "-w", "-t", "120", "start"],
            check=True, capture_output=True, cwd="/",
        )  # fmt: skip

    def halt(self) -> None:
        """Stop the postmaster (the replica is down), keeping its data for `resume`."""
        subprocess.run(  # noqa: S603 (our own command line)
            [*_as_postgres(), str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"),
             "-m", "fast", "-w", "stop"],
            capture_output=True, cwd="/",
        )  # fmt: skip

    def stop(self) -> None:
        if self.directory is not None and (self.directory / "data" / "postmaster.pid").exists():
            self.halt()
        try:
            self.primary_sql(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                "WHERE slot_name = %s",
                (self.slot,),
            )
        finally:
            if self.directory is not None:
                shutil.rmtree(self.directory, ignore_errors=True)

    # -- replay --------------------------------------------------------------------------
    def pause_replay(self) -> None:
        self.replica_sql("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        self.replica_sql("SELECT pg_wal_replay_resume()")

    def catch_up(self, timeout: float = 60) -> None:
        """Wait until the replica has replayed everything the primary has written."""
        target = self.primary_sql("SELECT pg_current_wal_lsn()::text")[0][0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            (done,) = self.replica_sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,))[
                0
            ]
            if done:
                return
            time.sleep(0.1)
        raise AssertionError("the replica did not catch up")
