"""The database backend's check of a kept connection
(config/postgis/base.py), on real PostgreSQL sessions: one the server has ended, one idle
and open, one with a notification waiting."""

import time

import pytest
from django.db import connection, connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept():
    """A second connection to the test database, kept between requests as under gunicorn."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    assert wrapper.health_check_enabled
    yield wrapper
    wrapper.close()


def backend_pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def last_query(pid: int) -> str | None:
    """What PostgreSQL shows the session `pid` last ran, or None once it has gone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row[0] if row else None


def next_request(wrapper):
    """What Django does to a kept connection between one request and the next."""
    wrapper.close_if_unusable_or_obsolete()
    assert not wrapper.health_check_done


def test_an_idle_open_connection_is_kept_without_a_query_to_the_server(kept):
    pid = backend_pid(kept)
    with kept.cursor() as cursor:
        cursor.execute("SELECT 'the last thing asked'")
    next_request(kept)

    kept.close_if_health_check_failed()

    assert kept.health_check_done
    assert last_query(pid) == "SELECT 'the last thing asked'"
    assert backend_pid(kept) == pid


def test_a_connection_the_server_ended_is_replaced_before_the_first_query(kept):
    pid = backend_pid(kept)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while last_query(pid) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    next_request(kept)

    with kept.cursor() as cursor:  # the check runs before this query; it would fail otherwise
        cursor.execute("SELECT pg_backend_pid()")
        new_pid = cursor.fetchone()[0]

    assert new_pid != pid


def test_a_waiting_notification_is_read_past_with_one_query_and_the_connection_kept(kept):
    pid = backend_pid(kept)
    with kept.cursor() as cursor:
        cursor.execute("LISTEN portal_backend_test")
    notifier = connections.create_connection("default")
    try:
        with notifier.cursor() as cursor:  # autocommit: sent at once
            cursor.execute("NOTIFY portal_backend_test")
    finally:
        notifier.close()
    deadline = time.monotonic() + 10
    while kept.is_quiet() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not kept.is_quiet()
    next_request(kept)

    kept.close_if_health_check_failed()

    assert last_query(pid) == "SELECT 1"
    assert backend_pid(kept) == pid
    assert kept.is_quiet()
