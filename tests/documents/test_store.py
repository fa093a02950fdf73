"""The document store: rows and files together, access by owner, dedup and removal, names and previews."""

from __future__ import annotations

import io
import re

import pytest

from proto.accounts import get_account, list_accounts
from proto.documents.intake import ingest_stream
from proto.documents.preview import make_preview
from proto.documents.store import DocumentStore, clean_name
from proto.storage.tables import documents
from tests.web.documents_helpers import stored


@pytest.fixture
def store(app) -> DocumentStore:
    """Return the application's document store."""
    return app.services.documents


def receive(store: DocumentStore, data: bytes):
    """Run bytes through the store's intake."""
    return ingest_stream(io.BytesIO(data).read, store.files.spool_dir)


def test_add_commits_the_file_then_the_row(store, make_account, app):
    alice = make_account("alice")
    document = store.add(alice, "a.xml", "application/xml", receive(store, b"<r><a/></r>"))
    assert re.fullmatch(r"[0-9a-f]{32}", document.id)
    assert (document.owner, document.root, document.elements, document.size) == ("alice", "r", 2, 11)
    assert store.get(document.id, alice) == document
    with store.open(document) as file:
        assert file.read() == b"<r><a/></r>"
    rows, objects, spools = stored(app)
    assert (rows, len(objects), spools) == (1, 1, [])


def test_a_failing_database_leaves_no_row_and_no_spool(store, make_account, app, monkeypatch):
    alice = make_account("alice")
    result = receive(store, b"<r/>")

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(store, "_locked", broken)
    with pytest.raises(RuntimeError):
        store.add(alice, "a.xml", "application/xml", result)
    assert stored(app) == (0, [], [])


def test_others_see_nothing_admins_see_all(store, make_account):
    alice, bob, root = make_account("alice"), make_account("bob"), make_account("root", admin=True)
    document = store.add(alice, "a.xml", "application/xml", receive(store, b"<r/>"))
    assert store.get(document.id, bob) is None
    assert store.list(bob) == ([], 0)
    assert store.delete(document.id, bob) is None
    assert store.get(document.id, root) == document
    assert store.list(root) == ([document], 1)
    assert store.count() == (1, 4)
    assert store.get("not-an-id", root) is None


def test_list_is_newest_first_and_searches_names_and_roots(store, make_account):
    alice = make_account("alice")
    for number in range(30):
        store.add(alice, f"doc-{number:02}.xml", "application/xml", receive(store, f"<n{number}/>".encode()))
    page, total = store.list(alice)
    assert total == 30 and len(page) == 20
    assert page[0].name == "doc-29.xml" and page[-1].name == "doc-10.xml"
    assert [d.name for d in store.list(alice, 2)[0]] == [f"doc-{n:02}.xml" for n in range(9, -1, -1)]
    assert [d.name for d in store.list(alice, q="DOC-1")[0]][:2] == ["doc-19.xml", "doc-18.xml"]
    assert [d.root for d in store.list(alice, q="n2")[0]][-1] == "n2"
    assert store.list(alice, q="_")[1] == 0


@pytest.mark.parametrize("query", [{}, {"page": 2}, {"page": 9}, {"q": "DOC-1"}, {"q": "nothing"}])
def test_a_page_of_ids_is_the_list_in_the_same_order_with_the_same_total(store, make_account, query):
    alice, bob, root = make_account("alice"), make_account("bob"), make_account("root", admin=True)
    for number in range(25):
        store.add(alice if number % 3 else bob, f"doc-{number:02}.xml", "application/xml",
                  receive(store, f"<n{number}/>".encode()))
    for viewer in (alice, bob, root):
        documents, total = store.list(viewer, **query)
        now = get_account(store.db, viewer.id)  # page() takes the viewer as read for the request
        assert store.page(now, **query) == ([document.id for document in documents], total)
        assert store.page(now, **query) == ([document.id for document in documents], total)


def test_an_owners_pages_are_kept_until_its_documents_change_whoever_changes_them(store, make_account, app,
                                                                                   monkeypatch):
    alice = make_account("alice")
    added = [store.add(alice, f"a{n}.xml", "application/xml", receive(store, b"<a/>")) for n in range(3)]
    alice = get_account(store.db, alice.id)
    assert store.page(alice) == ([document.id for document in reversed(added)], 3)
    read_page = store._page
    monkeypatch.setattr(store, "_page", lambda *args, **kwargs: pytest.fail("the kept page was read again"))
    assert store.page(alice) == ([document.id for document in reversed(added)], 3)
    monkeypatch.setattr(store, "_page", read_page)
    # Rows written past the store (a script, a bulk import) change the version too.
    with app.services.db.write() as connection:
        connection.execute(documents.delete().where(documents.c.id == added[2].id))
    alice = get_account(store.db, alice.id)
    assert store.page(alice) == ([added[1].id, added[0].id], 2)
    with app.services.db.write() as connection:
        columns = {key: value for key, value in added[2]._asdict().items() if key not in ("owner", "owner_id")}
        connection.execute(documents.insert().values({**columns, "account_id": alice.id, "id": "f" * 32}))
    alice = get_account(store.db, alice.id)
    assert store.page(alice) == (["f" * 32, added[1].id, added[0].id], 3)


def test_documents_by_id_keep_the_order_and_only_what_the_viewer_may_see(store, make_account):
    alice, bob, root = make_account("alice"), make_account("bob"), make_account("root", admin=True)
    first, second = (store.add(alice, name, "application/xml", receive(store, b"<a/>")) for name in ("1.xml", "2.xml"))
    others = store.add(bob, "b.xml", "application/xml", receive(store, b"<b/>"))
    ids = [second.id, others.id, "0" * 32, first.id]
    assert store.documents(ids, alice) == [second, first]
    assert store.documents(ids, root) == [second, others, first]
    assert store.documents([], bob) == []


def test_totals_follow_every_insert_and_delete_whoever_makes_them(store, make_account, app):
    alice, bob, root = make_account("alice"), make_account("bob"), make_account("root", admin=True)
    added = [store.add(alice, f"a{n}.xml", "application/xml", receive(store, b"<a/>")) for n in range(3)]
    store.add(bob, "b.xml", "application/xml", receive(store, b"<b/>"))
    assert (store.list(alice)[1], store.list(bob)[1], store.list(root)[1]) == (3, 1, 4)
    store.delete(added[0].id, alice)
    # A row written past the store (a script, a bulk import) is counted by the database itself.
    with app.services.db.write() as connection:
        connection.execute(documents.insert().values(
            {**{column: getattr(added[1], column) for column in ("name", "content_type", "size", "sha256",
                                                                 "root", "elements", "encoding", "created_at")},
             "id": "f" * 32, "account_id": bob.id}))
    assert (store.list(alice)[1], store.list(bob)[1], store.list(root)[1]) == (2, 2, 4)
    assert [account.document_count for account in list_accounts(app.services.db)] == [2, 2, 0]
    assert store.list(alice, q="a1") == ([added[1]], 1)
    # A page past the end has no row to carry the total: it is counted instead.
    assert store.list(alice, 5) == ([], 2)
    assert store.list(root, 3, q="xml") == ([], 4)
    assert store.list(root, q="nothing like it") == ([], 0)


def test_shared_bytes_keep_their_file_until_the_last_row_goes(store, make_account, app):
    alice, bob = make_account("alice"), make_account("bob")
    first = store.add(alice, "a.xml", "application/xml", receive(store, b"<same/>"))
    second = store.add(bob, "b.xml", "application/xml", receive(store, b"<same/>"))
    assert stored(app)[:2] == (2, [store.files.path_for(first.sha256)])
    assert store.delete(first.id, alice) == first
    assert store.files.exists(second.sha256)
    assert store.delete(second.id, bob) == second
    assert stored(app) == (0, [], [])
    assert store.delete(second.id, bob) is None


@pytest.mark.parametrize(("raw", "clean"), [
    ("report.xml", "report.xml"),
    ("C:\\Users\\x\\report.xml", "report.xml"),
    ("/etc/passwd", "passwd"),
    ("a\x00b\x1b[31m\u202ec.xml", "ab[31mc.xml"),
    ("  spaced   name .xml ", "spaced name .xml"),
    ("", "document.xml"),
    ("...", "document.xml"),
    ("é" * 300, "é" * 200),
])
def test_names_are_cleaned(raw, clean):
    assert clean_name(raw) == clean


def test_preview_pretty_prints_and_keeps_markup_as_text():
    document = (b'<?xml version="1.0"?><doc a="1 &amp; 2"><!-- note --><title>&lt;script&gt;alert(1)'
                b'&lt;/script&gt;</title><empty/><p>x<b>y</b></p></doc>')
    preview = make_preview(io.BytesIO(document))
    text = ["  " * indent + "".join(token for _, token in tokens) for indent, tokens in preview.lines]
    assert text == [
        '<doc a="1 &amp; 2">',
        "  <!-- note -->",
        "  <title>&lt;script&gt;alert(1)&lt;/script&gt;</title>",
        "  <empty/>",
        "  <p>",
        "    x",
        "    <b>y</b>",
        "  </p>",
        "</doc>",
    ]
    assert not preview.truncated


def test_preview_of_a_large_document_stops_at_the_limit():
    document = b"<r>" + b"<item>text</item>" * 100_000 + b"</r>"
    preview = make_preview(io.BytesIO(document), limit=1000)
    assert preview.truncated
    assert 0 < len(preview.lines) < 100
