"""`make backup` and `make restore` make a round trip of the database, staff's edits included.

Runs the project's own scripts against a scratch database of its own, so the test database
the other tests share is never restored over.
"""

import os
import subprocess
import sys
import uuid

import psycopg2
import pytest

from tests import ROOT


def psql(dbname: str, sql: str, params=None, *, fetch=False):
    conn = psycopg2.connect(dbname=dbname)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if fetch else None
    finally:
        conn.close()


def run(args, *, db, backups, **kwargs):
    env = {
        **os.environ,
        "PORTAL_DB_NAME": db,
        "PORTAL_BACKUP_DIR": str(backups),
        "DATABASE_URL": f"postgis:///{db}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "PYTHON": sys.executable,
    }
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def scratch_db(tmp_path_factory):
    """A database of its own with the schema and the content fixtures, dropped afterwards."""
    name = f"portal_backup_test_{uuid.uuid4().hex[:8]}"
    psql("postgres", f'CREATE DATABASE "{name}"')
    try:
        psql(name, "CREATE EXTENSION postgis")
        backups = tmp_path_factory.mktemp("backups")
        for command in (["migrate", "--no-input", "-v0"], ["createcachetable"], ["load_content"]):
            run([sys.executable, "manage.py", *command], db=name, backups=backups, check=True)
        yield name
    finally:
        psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def partner_names(db):
    rows = psql(db, "SELECT slug, name FROM partnership_partnerorganisation", fetch=True)
    return dict(rows)


def priority_titles(db):
    return sorted(psql(db, "SELECT id, title FROM partnership_priority", fetch=True))


def test_staff_edits_survive_a_backup_and_a_restore(scratch_db, tmp_path):
    slug = next(iter(sorted(partner_names(scratch_db))))
    psql(
        scratch_db,
        "UPDATE partnership_partnerorganisation SET name = %s WHERE slug = %s",
        ["Renamed by staff before the backup", slug],
    )
    edited = partner_names(scratch_db)

    backup = run(["bash", "scripts/backup.sh"], db=scratch_db, backups=tmp_path)
    assert backup.returncode == 0, backup.stderr
    dumps = list(tmp_path.glob("*.dump"))
    assert len(dumps) == 1 and dumps[0].name in backup.stdout

    priorities = priority_titles(scratch_db)

    # After the backup: an edit made in error, and a priority deleted.
    psql(scratch_db, "UPDATE partnership_partnerorganisation SET name = 'Oops' WHERE slug = %s",
         [slug])  # fmt: skip
    psql(scratch_db, "DELETE FROM partnership_priority WHERE id = (SELECT max(id) FROM "
                     "partnership_priority)")  # fmt: skip
    assert partner_names(scratch_db) != edited
    assert len(priority_titles(scratch_db)) == len(priorities) - 1

    restore = run(["bash", "scripts/restore.sh", str(dumps[0])], db=scratch_db, backups=tmp_path)
    assert restore.returncode == 0, restore.stderr + restore.stdout
    assert partner_names(scratch_db) == edited
    assert partner_names(scratch_db)[slug] == "Renamed by staff before the backup"
    assert priority_titles(scratch_db) == priorities
    # What was there just before the restore was kept too, so the restore can be undone.
    assert len(list(tmp_path.glob("*-before-restore-*.dump"))) == 1
    assert "Backing up what is in" in restore.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "There is no backup at"),
        (b"", "is not a backup made by make backup"),
        (b"not a dump\n" * 10, "is not a backup made by make backup"),
    ],
    ids=["missing", "empty", "not-a-dump"],
)
def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(
    scratch_db, tmp_path, content, message
):
    before = partner_names(scratch_db)
    path = tmp_path / "backup.dump"
    if content is not None:
        path.write_bytes(content)
    restore = run(["bash", "scripts/restore.sh", str(path)], db=scratch_db, backups=tmp_path)
    assert restore.returncode == 2
    assert message in restore.stderr
    assert "Traceback" not in restore.stderr
    assert partner_names(scratch_db) == before
