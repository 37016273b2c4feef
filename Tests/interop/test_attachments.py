"""Attachments replicated between CouchDB and Divan: compressible text (which CouchDB
stores and sends gzip-encoded), 1 MB and 20 MB binaries, unicode names, revpos across
later edits, inline attachments, and attachments removed in later revisions."""
import json

from interop_fixtures import pair, requires_couchdb, servers  # noqa: F401 (fixtures)
from interop_support import b64, lorem, random_bytes

pytestmark = requires_couchdb

MB = 1 << 20


def test_text_attachments_gzip(pair):
    src, db = pair.source, pair.source_db
    rev = src.put(db, "text", {"kind": "compressible"})
    rev = src.put_attachment(db, "text", rev, "lorem.txt", lorem(200_000), "text/plain")
    rev = src.put_attachment(db, "text", rev, "data.json",
                             json.dumps([{"i": i, "name": f"item {i}", "tags": ["a", "b"]} for i in range(2000)]).encode(),
                             "application/json")
    rev = src.put_attachment(db, "text", rev, "page.html", b"<html><body>" + lorem(30_000, 3) + b"</body></html>",
                             "text/html; charset=utf-8")
    rev = src.put_attachment(db, "text", rev, "tiny.txt", b"hi", "text/plain")
    rev = src.put_attachment(db, "text", rev, "empty.txt", b"", "text/plain")
    rev = src.put_attachment(db, "text", rev, "script.js", b"function f(x){ return x * 2; }\n" * 500,
                             "application/javascript")
    rev = src.put_attachment(db, "text", rev, "image.png", random_bytes(5000, 7), "image/png")
    src.update(db, "text", kind="edited after the attachments")
    pair.sync()


def test_binary_attachment_1mb(pair):
    src, db = pair.source, pair.source_db
    rev = src.put(db, "one-mb", {"size": MB})
    src.put_attachment(db, "one-mb", rev, "blob.bin", random_bytes(MB, 1), "application/octet-stream")
    rev = src.put(db, "one-mb-odd", {"size": MB + 7})
    src.put_attachment(db, "one-mb-odd", rev, "blob", random_bytes(MB + 7, 2), "application/x-unknown")
    pair.sync()


def test_binary_attachment_20mb(pair):
    src, db = pair.source, pair.source_db
    rev = src.put(db, "twenty-mb", {"size": 20 * MB})
    src.put_attachment(db, "twenty-mb", rev, "big.bin", random_bytes(20 * MB, 20), "application/octet-stream")
    pair.sync()


UNICODE_NAMES = [
    "résumé.txt",
    "re\u0301sume\u0301.txt",   # NFD: a different name
    "日本語.bin",
    "emoji 😀.dat",
    "space and+plus%.txt",
    "question?hash#.bin",
    "dir/sub/file.txt",
]


def test_unicode_attachment_names(pair):
    src, db = pair.source, pair.source_db
    rev = src.put(db, "names", {"kind": "unicode attachment names"})
    for i, name in enumerate(UNICODE_NAMES):
        content_type = "text/plain" if name.endswith(".txt") else "application/octet-stream"
        data = (name + "\n").encode() * 50 if content_type == "text/plain" else random_bytes(3000 + i, i)
        rev = src.put_attachment(db, "names", rev, name, data, content_type)
    pair.sync()
    atts = src.get_doc(db, "names")["_attachments"]
    assert sorted(atts) == sorted(UNICODE_NAMES), f"{src.name} stored other names: {sorted(atts)}"


def test_revpos_after_later_edits(pair):
    src, db = pair.source, pair.source_db
    rev = src.put(db, "revpos", {"step": 1})
    rev = src.put_attachment(db, "revpos", rev, "a.bin", random_bytes(40_000, 11), "application/octet-stream")
    rev = src.put_attachment(db, "revpos", rev, "a.txt", lorem(40_000, 5), "text/plain")
    src.update(db, "revpos", step=4)
    src.update(db, "revpos", step=5)
    pair.sync()  # the target has the attachments at revpos 2 and 3
    doc = src.get_doc(db, "revpos")
    rev = src.put_attachment(db, "revpos", doc["_rev"], "b.txt", lorem(20_000, 9), "text/plain")
    src.update(db, "revpos", step=7)
    doc = src.get_doc(db, "revpos")
    rev = src.put_attachment(db, "revpos", doc["_rev"], "a.bin", random_bytes(50_000, 12), "application/octet-stream")
    src.update(db, "revpos", step=9)
    pair.sync()  # a.txt (revpos 3) is a stub the target already holds
    atts = src.get_doc(db, "revpos")["_attachments"]
    assert {name: att["revpos"] for name, att in atts.items()} == {"a.txt": 3, "b.txt": 6, "a.bin": 8}, atts


def test_attachment_on_conflict_branch(pair):
    """The source adds attachments on its branch (revpos 2) while the target edits the
    same parent (2-b): the target's 2-b is a possible ancestor of the source's 3-y
    but not on its path, so the attachments must travel with their bytes (a stub
    answering atts_since=[2-b] would be a missing_stub on the target)."""
    src, tgt = pair.source, pair.target
    src.put(pair.source_db, "branchy", {"v": 0})
    pair.sync()
    doc = src.get_doc(pair.source_db, "branchy")
    rev = src.put_attachment(pair.source_db, "branchy", doc["_rev"], "f.bin", random_bytes(30_000, 21),
                             "application/octet-stream")
    src.put_attachment(pair.source_db, "branchy", rev, "g.txt", lorem(30_000, 22), "text/plain")
    src.update(pair.source_db, "branchy", v="source")
    tgt.update(pair.target_db, "branchy", v="target")
    forward = pair.replicate()
    backward = pair.replicate(reverse=True)
    pair.check(forward, reverse_result=backward)


def test_inline_attachments(pair):
    src, db = pair.source, pair.source_db
    src.put(db, "inline", {"_attachments": {
        "note.txt": {"content_type": "text/plain", "data": b64(lorem(10_000, 2))},
        "raw.bin": {"content_type": "application/octet-stream", "data": b64(random_bytes(10_000, 3))},
        "empty.bin": {"content_type": "application/octet-stream", "data": ""},
    }})
    src.bulk(db, [{"_id": f"bulk-inline-{i}", "i": i, "_attachments": {
        f"part-{i}.json": {"content_type": "application/json", "data": b64(json.dumps({"i": i}).encode())},
    }} for i in range(3)])
    doc = src.get_doc(db, "inline")
    doc["_attachments"]["added.txt"] = {"content_type": "text/plain", "data": b64(b"added later\n" * 100)}
    doc["edited"] = True
    src.put(db, "inline", doc)
    pair.sync()


def test_attachments_removed_later(pair):
    src, db = pair.source, pair.source_db
    src.put(db, "shrinks", {"_attachments": {
        "a.txt": {"content_type": "text/plain", "data": b64(lorem(5_000, 1))},
        "b.bin": {"content_type": "application/octet-stream", "data": b64(random_bytes(5_000, 4))},
        "c.bin": {"content_type": "application/octet-stream", "data": b64(random_bytes(5_000, 5))},
    }})
    src.put(db, "empties", {"_attachments": {
        "x.txt": {"content_type": "text/plain", "data": b64(b"x" * 1000)},
    }})
    rev = src.put(db, "one-deleted", {})
    rev = src.put_attachment(db, "one-deleted", rev, "gone.bin", random_bytes(2000, 6), "application/octet-stream")
    rev = src.put_attachment(db, "one-deleted", rev, "kept.bin", random_bytes(2000, 7), "application/octet-stream")
    pair.sync()
    doc = src.get_doc(db, "shrinks")
    doc["_attachments"] = {"b.bin": doc["_attachments"]["b.bin"]}
    src.put(db, "shrinks", doc)
    doc = src.get_doc(db, "empties")
    del doc["_attachments"]
    src.put(db, "empties", doc)
    src.delete_attachment(db, "one-deleted", rev, "gone.bin")
    pair.sync()
    assert "_attachments" not in src.get_doc(db, "empties")
