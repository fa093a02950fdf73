"""The SQL session store: shared rows, no needless writes, no resurrection, ids never adopted."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from proto.storage.sessions import SqlSession, hash_session_id
from proto.storage.tables import sessions, utcnow


@pytest.fixture
def store(app):
    return SqlSession.bind(app.services.db, lifetime=60, clean_freq=5)


def rows(app):
    with app.services.db.read() as connection:
        return connection.execute(select(sessions)).all()


def saved_session(store, **data):
    session = store(None, timeout=30)
    session.load()
    session.update(data)
    session.save()
    return session.id


def test_a_session_with_data_is_one_row_under_the_hash_of_its_id(store, app):
    session_id = saved_session(store, account_id=None, note="hello")
    [row] = rows(app)
    assert row.id_hash == hash_session_id(session_id) != session_id
    again = store(session_id, timeout=30)
    assert again.get("note") == "hello"
    assert not again.missing


def test_an_empty_new_session_stores_nothing(store, app):
    session = store(None, timeout=30)
    session.load()
    session.save()
    assert rows(app) == []


def test_an_unchanged_session_is_not_written_back(store, app):
    session_id = saved_session(store, note="hello")
    [before] = rows(app)
    session = store(session_id, timeout=30)
    assert session.get("note") == "hello"
    session.save()
    [after] = rows(app)
    assert after.expires_at == before.expires_at
    changed = store(session_id, timeout=30)
    changed["note"] = "bye"
    changed.save()
    assert rows(app)[0].data == '{"note":"bye"}'


def test_the_idle_expiry_moves_forward_once_it_is_a_minute_old(store, app):
    session_id = saved_session(store, note="hello")
    stale = utcnow() + dt.timedelta(minutes=25)
    with app.services.db.write() as connection:
        connection.execute(update(sessions).values(expires_at=stale))
    session = store(session_id, timeout=30)
    session.get("note")
    session.save()
    assert rows(app)[0].expires_at > stale


def test_a_session_only_peeked_at_is_not_written_but_still_kept_alive(store, app):
    session_id = saved_session(store, note="hello")
    [before] = rows(app)
    fresh = store(session_id, timeout=30)
    assert fresh.peek("note") == "hello" and not fresh.loaded
    fresh.save()
    assert rows(app) == [before]  # read, not loaded: nothing to write
    stale = utcnow() + dt.timedelta(minutes=25)
    with app.services.db.write() as connection:
        connection.execute(update(sessions).values(expires_at=stale))
    idle = store(session_id, timeout=30)
    assert idle.peek("note") == "hello"
    idle.save()
    [after] = rows(app)
    assert after.expires_at > stale and after.data == before.data


def test_a_peek_sees_what_the_request_changed_once_loaded(store):
    session = store(saved_session(store, note="hello"), timeout=30)
    session["note"] = "changed"
    assert session.peek("note") == "changed"


def test_a_deleted_session_is_not_brought_back_by_a_concurrent_save(store, app):
    session_id = saved_session(store, account_id=None, counter=1)
    busy = store(session_id, timeout=30)
    assert busy["counter"] == 1  # request A has loaded the session...
    store(session_id, timeout=30).delete()  # ...request B logs out...
    busy["counter"] = 2
    busy.save()  # ...and A's save must not undo the logout.
    assert rows(app) == []


@pytest.mark.parametrize("column", ["expires_at", "created_at"])
def test_an_expired_or_too_old_session_is_replaced(store, app, column):
    session_id = saved_session(store, note="old")
    with app.services.db.write() as connection:
        connection.execute(update(sessions).values({column: utcnow() - dt.timedelta(days=1)}))
    session = store(session_id, timeout=30)
    assert session.missing and session.id != session_id
    assert session.get("note") is None


def test_an_unknown_id_is_never_adopted(store):
    session = store("chosen-by-attacker", timeout=30)
    assert session.missing
    assert session.id != "chosen-by-attacker"


def test_clean_up_deletes_expired_rows(store, app):
    saved_session(store, note="old")
    keep = saved_session(store, note="new")
    with app.services.db.write() as connection:
        connection.execute(update(sessions).where(sessions.c.id_hash != hash_session_id(keep))
                           .values(expires_at=utcnow() - dt.timedelta(minutes=1)))
    store(None, timeout=30).clean_up()
    assert [row.id_hash for row in rows(app)] == [hash_session_id(keep)]
    assert len(store(None, timeout=30)) == 1
