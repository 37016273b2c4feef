"""The differential scenarios: named sequences of HTTP requests.

Each function decorated with @scenario returns its steps; it gets its own database
path `/dt-<name>` (underscores become dashes). Databases (first path segments starting
with `dt-`) and users (`org.couchdb.user:dt_*`) a scenario touches are deleted before
and after it runs, so every scenario starts from a clean server.

A step is a request: method, path (already percent-encoded), query (non-string values
are sent as JSON), headers, a body (json=, text=, data= bytes, form=) and auth ("admin"
by default, None for anonymous, or (name, password) of a user the scenario created).
`save={"var": "body.rev"}` keeps a value of the answer (also "headers.ETag",
"cookie.AuthSession") for later steps' `{{var}}`: revisions and sequences differ between
the servers, so later requests refer to them this way. `unordered` lists paths in the JSON
body ("" is the body itself) holding lists CouchDB does not order. `differs` records, with a reason citing Divan's
README, where Divan deliberately answers otherwise; it is not part of the recording.

Rules that keep recordings comparable: conflicts are made with `new_edits: false` and
literal revisions (which branch wins otherwise depends on the hash); documents get
distinct bodies (both servers derive a revision from the body alone, so equal bodies
share one); old revision bodies are not read back (Divan drops them, see README).
"""
import base64
import json as jsonlib

SCENARIOS = {}
PASSWORD = "dt-password"
README_OLD_BODIES = ("README 'How Divan differs from CouchDB': no compaction - Divan drops a "
                     "revision's body as soon as it gets a child, so an old revision reads as missing")
README_VENDOR = ("README 'How Divan differs from CouchDB': GET / and _up carry Divan's own vendor "
                 "fields")
README_ANONYMOUS = ("README 'How Divan differs from CouchDB': only GET /, _up and _session answer "
                    "without credentials")
README_SINCE = ("README 'How Divan differs from CouchDB': sequences are N-divan strings and `since` "
                "takes integers (CouchDB 3 refuses integers other than 0)")


def rev(generation, digit):
    """A literal revision, identical on both servers: `rev(1, "a")` is 1-aaaa…"""
    return f"{generation}-{digit * 32}"


def scenario(function):
    db = "/dt-" + function.__name__.replace("_", "-")
    SCENARIOS[function.__name__] = {
        "description": " ".join((function.__doc__ or "").split()),
        "steps": function(db),
    }
    return function


def step(method, path, *, query=None, headers=None, json=..., text=None, data=None, form=None,
         auth="admin", save=None, unordered=None, exact_location=False, differs=None):
    if isinstance(query, dict):
        query = list(query.items())
    query = [[k, v if isinstance(v, str) else jsonlib.dumps(v, ensure_ascii=False)] for k, v in query or []]
    body = None
    if json is not ...:
        body = {"json": json}
    elif text is not None:
        body = {"text": text}
    elif data is not None:
        body = {"base64": base64.b64encode(data).decode()}
    elif form is not None:
        body = {"form": [list(pair) for pair in (form.items() if isinstance(form, dict) else form)]}
    result = {"method": method, "path": path, "query": query, "headers": headers or {},
              "body": body, "auth": list(auth) if isinstance(auth, tuple) else auth}
    if save:
        result["save"] = save
    if unordered:
        result["unordered"] = unordered
    if exact_location:
        result["exact_location"] = True
    if differs:
        result["differs"] = differs
    return result


def differs(reason, ignore=(), divan=None):
    """A documented difference: paths not compared, or what Divan answers instead."""
    return {"reason": reason, "ignore": list(ignore), "divan": divan}


def get(path, **kw): return step("GET", path, **kw)
def head(path, **kw): return step("HEAD", path, **kw)
def put(path, **kw): return step("PUT", path, **kw)
def post(path, **kw): return step("POST", path, **kw)
def delete(path, **kw): return step("DELETE", path, **kw)
def copy(path, **kw): return step("COPY", path, **kw)


def user(name, roles=()):
    """Creates a user (as admin) with the common password."""
    return put(f"/_users/org.couchdb.user:{name}",
               json={"name": name, "password": PASSWORD, "roles": list(roles), "type": "user"})


def as_user(name):
    return (name, PASSWORD)


def bulk(db, docs, **kw):
    return post(f"{db}/_bulk_docs", json={"docs": docs}, **kw)


def conflicted(db, doc_id="c"):
    """A document with two first-generation branches; 1-bbbb… wins (higher hash)."""
    return post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": [
        {"_id": doc_id, "_rev": rev(1, "a"), "branch": "a"},
        {"_id": doc_id, "_rev": rev(1, "b"), "branch": "b"}]})


# ===========================================================================
# Server endpoints

@scenario
def server_welcome(db):
    """GET / and HEAD /: the welcome object."""
    return [get("/", unordered=["features"],
                differs=differs(README_VENDOR, ["body.json.vendor", "body.json.git_sha", "body.json.features"])),
            head("/")]


@scenario
def server_up(db):
    """/_up answers without credentials; other methods are refused."""
    return [get("/_up", auth=None), head("/_up", auth=None), post("/_up", json={}), delete("/_up")]


@scenario
def uuids_default(db):
    """GET /_uuids: one uuid, no caching."""
    return [get("/_uuids"), get("/_uuids", auth=None, differs=differs(
        README_ANONYMOUS, ["headers.ETag", "headers.Cache-Control", "headers.Pragma"], divan={
            "status": 401, "body": {"json": {"error": "unauthorized", "reason": "You are not authorized to access this db."}}}))]


@scenario
def uuids_count(db):
    """count within limits, 0, the 1000 limit, 1001 and junk."""
    return [get("/_uuids", query={"count": "3"}), get("/_uuids", query={"count": "0"}),
            get("/_uuids", query={"count": "1000"}), get("/_uuids", query={"count": "1001"}),
            get("/_uuids", query={"count": "-1"}), get("/_uuids", query={"count": "abc"})]


@scenario
def all_dbs_range(db):
    """/_all_dbs with key ranges, descending, limit and skip over our own databases."""
    low, high = jsonlib.dumps(db[1:] + "-"), jsonlib.dumps(db[1:] + "-\ufff0")
    return [put(db + "-a"), put(db + "-b"), put(db + "-c"),
            get("/_all_dbs", query={"startkey": low, "endkey": high}),
            get("/_all_dbs", query={"start_key": low, "end_key": high, "limit": "2"}),
            get("/_all_dbs", query={"startkey": low, "endkey": high, "skip": "1"}),
            get("/_all_dbs", query={"startkey": high, "endkey": low, "descending": "true"}),
            get("/_all_dbs", query={"startkey": low, "endkey": jsonlib.dumps(db[1:] + "-b"),
                                    "inclusive_end": "false"})]


@scenario
def all_dbs_bad_query(db):
    """/_all_dbs with a startkey that is not JSON, and bad limits."""
    return [get("/_all_dbs", query={"startkey": "notjson"}),
            get("/_all_dbs", query={"limit": "abc"}),
            get("/_all_dbs", query={"descending": "maybe"})]


@scenario
def all_dbs_needs_admin(db):
    """/_all_dbs is for server admins: anonymous and plain users get 401."""
    return [user("dt_lister"), get("/_all_dbs", auth=None),
            get("/_all_dbs", auth=as_user("dt_lister"))]


@scenario
def dbs_info(db):
    """POST /_dbs_info with an existing and a missing database."""
    return [put(db), put(f"{db}/a", json={"a": 1}),
            post("/_dbs_info", json={"keys": [db[1:], "dt-no-such-db"]}),
            post("/_dbs_info", json={"nokeys": []}),
            post("/_dbs_info", json={"keys": "notalist"})]


@scenario
def unknown_endpoint(db):
    """Unknown top-level underscore paths."""
    return [get("/_something"), put("/_something"), get("/_something/else"),
            get("/_something", auth=None)]


@scenario
def wrong_methods_server(db):
    """Wrong methods on server endpoints: 405 with Allow."""
    return [delete("/"), post("/", json={}), put("/_uuids"), post("/_all_dbs", json={}),
            put("/_session", json={}), delete("/_all_dbs")]


@scenario
def wrong_methods_database(db):
    """Wrong methods on database endpoints: 405 with Allow."""
    return [put(db), step("PATCH", db), put(f"{db}/_all_docs", json={}),
            delete(f"{db}/_changes"), get(f"{db}/_bulk_docs"), put(f"{db}/_bulk_docs", json={}),
            get(f"{db}/_bulk_get"), get(f"{db}/_revs_diff"), get(f"{db}/_missing_revs"),
            get(f"{db}/_purge"), get(f"{db}/_ensure_full_commit"), post(f"{db}/_security", json={}),
            delete(f"{db}/_revs_limit"), get(f"{db}/_compact")]


@scenario
def wrong_methods_document(db):
    """Wrong methods on documents, attachments and local documents."""
    return [put(db), put(f"{db}/a", json={"a": 1}), step("PATCH", f"{db}/a", json={}),
            step("PATCH", f"{db}/a/att"), step("PATCH", f"{db}/_local/x", json={}),
            post(f"{db}/_local/x", json={})]


# ===========================================================================
# Databases

@scenario
def db_lifecycle(db):
    """Create, create again, HEAD, info, delete, and the missing database afterwards."""
    return [put(db), put(db), head(db), get(db), delete(db), get(db), head(db), delete(db)]


@scenario
def db_invalid_names(db):
    """Names CouchDB refuses: capitals, leading digit or underscore, spaces, symbols."""
    return [put("/dt-UPPER"), put("/9dt-digit"), put("/_dt-underscore"), put("/dt-bad%20space"),
            put("/dt-bad!bang"), put("/dt-bad.dot"), get("/dt-UPPER")]


@scenario
def db_special_names(db):
    """Names with every allowed symbol, including an encoded slash."""
    return [put(db + "-a%2Fb"), put(db + "-x$()%2B-_y"), get(db + "-a%2Fb"),
            put(db + "-a%2Fb/doc", json={"in": "slashed db"}), get(db + "-a%2Fb/doc"),
            get(db + "-x$()%2B-_y"), delete(db + "-a%2Fb"), get(db + "-a%2Fb")]


@scenario
def db_info_counts(db):
    """Database info after creating, updating and deleting documents."""
    return [put(db), put(f"{db}/a", json={"n": 1}, save={"a": "body.rev"}),
            put(f"{db}/b", json={"n": 2}, save={"b": "body.rev"}),
            put(f"{db}/a", json={"n": 3, "_rev": "{{a}}"}), delete(f"{db}/b", query={"rev": "{{b}}"}),
            get(db), get(db + "/")]


@scenario
def db_create_needs_admin(db):
    """Only server admins create and delete databases."""
    return [user("dt_creator"), put(db, auth=None), put(db, auth=as_user("dt_creator")),
            put(db), delete(db, auth=None), delete(db, auth=as_user("dt_creator")), get(db)]


@scenario
def db_delete_with_rev(db):
    """DELETE /db?rev=… is refused: probably meant a document."""
    return [put(db), delete(db, query={"rev": "1-abc"}), get(db)]


@scenario
def db_post_document(db):
    """POST /db with and without an _id; Location of the new document."""
    return [put(db), post(db, json={"_id": "given", "v": 1}),
            post(db, json={"v": 2}, save={"id": "body.id"}), get(db + "/{{id}}"),
            post(db, json={"_id": "given", "v": 3})]


@scenario
def db_post_batch(db):
    """POST and PUT with batch=ok answer 202 without a revision."""
    return [put(db), post(db, query={"batch": "ok"}, json={"_id": "b1", "v": 1}),
            put(f"{db}/b2", query={"batch": "ok"}, json={"v": 2})]


@scenario
def db_post_not_json(db):
    """POST /db wants a JSON content type, and a JSON object."""
    return [put(db), post(db, text='{"v": 1}', headers={"Content-Type": "text/plain"}),
            post(db, json=[1, 2]), post(db, text="{bad", headers={"Content-Type": "application/json"}),
            get(f"{db}/_all_docs")]


@scenario
def db_missing(db):
    """Endpoints of a database that does not exist."""
    return [get(db), get(f"{db}/doc"), put(f"{db}/doc", json={"a": 1}), get(f"{db}/_all_docs"),
            get(f"{db}/_changes"), bulk(db, [{"a": 1}]), get(f"{db}/_security"),
            post(f"{db}/_bulk_get", json={"docs": [{"id": "a"}]}), get(f"{db}/doc/att"),
            get(f"{db}/_local/x"), post(f"{db}/_revs_diff", json={})]


@scenario
def db_compact_no_op(db):
    """_compact and _view_cleanup: 202 with a JSON content type, 415 without."""
    return [put(db), post(f"{db}/_compact", json={}), post(f"{db}/_view_cleanup", json={}),
            post(f"{db}/_compact", text="", headers={"Content-Type": "text/plain"})]


@scenario
def ensure_full_commit(db):
    """_ensure_full_commit wants a JSON content type."""
    return [put(db), post(f"{db}/_ensure_full_commit", json={}),
            post(f"{db}/_ensure_full_commit"),
            post(f"{db}/_ensure_full_commit", text="", headers={"Content-Type": "text/plain"})]


@scenario
def location_header_form(db):
    """Location headers compared with their form: CouchDB sends absolute URLs."""
    return [put(db, exact_location=True), put(f"{db}/a", json={"v": 1}, exact_location=True),
            post(db, json={"_id": "b", "v": 2}, exact_location=True),
            put(f"{db}/c/f.bin", data=b"x", headers={"Content-Type": "application/octet-stream"},
                exact_location=True)]


# ===========================================================================
# Documents

@scenario
def doc_put_get(db):
    """PUT then GET and HEAD a document; ETag, Location, If-None-Match."""
    return [put(db), put(f"{db}/a", json={"x": 1, "nested": {"k": [1, 2]}}, save={"r1": "body.rev"}),
            get(f"{db}/a", save={"etag": "headers.ETag"}), head(f"{db}/a"),
            get(f"{db}/a", headers={"If-None-Match": "{{etag}}"}),
            get(f"{db}/a", headers={"If-None-Match": '"1-00000000000000000000000000000000"'}),
            get(f"{db}/a", query={"rev": "{{r1}}"})]


@scenario
def doc_ids_unicode_forms(db):
    """The NFC and NFD forms of one text are two ids and two attachment names (bytes compare)."""
    nfc, nfd = "caf%C3%A9", "cafe%CC%81"
    return [put(db), put(f"{db}/{nfc}", json={"form": "nfc"}, save={"r1": "body.rev"}),
            put(f"{db}/{nfd}", json={"form": "nfd"}, save={"r2": "body.rev"}),
            get(f"{db}/_all_docs"), get(f"{db}/{nfc}"), get(f"{db}/{nfd}"),
            post(f"{db}/_revs_diff", json={"caf\u00e9": ["{{r1}}", rev(2, "a")], "cafe\u0301": [rev(3, "b")]}),
            post(f"{db}/_all_docs", json={"keys": ["cafe\u0301", "caf\u00e9"]}),
            post(f"{db}/_bulk_docs", json={"docs": [{"_id": "d", "caf\u00e9": 1, "cafe\u0301": 2}]}),
            get(f"{db}/d"),
            put(f"{db}/{nfc}/{nfc}.txt", query={"rev": "{{r1}}"}, text="nfc name",
                headers={"Content-Type": "text/plain"}, save={"r3": "body.rev"}),
            put(f"{db}/{nfc}/{nfd}.txt", query={"rev": "{{r3}}"}, text="nfd name",
                headers={"Content-Type": "text/plain"}),
            get(f"{db}/{nfc}"), get(f"{db}/{nfc}/{nfd}.txt"), get(f"{db}/{nfc}/{nfc}.txt")]


@scenario
def plus_in_paths(db):
    """A `+` in a path is a space (mochiweb's unquote); `%2B` is a plus."""
    return [put(db), put(f"{db}/a+b", json={"v": 1}, save={"r1": "body.rev"}), get(f"{db}/a%20b"),
            put(f"{db}/x%2By", json={"v": 2}, save={"r2": "body.rev"}), get(f"{db}/x+y"), get(f"{db}/x%2By"),
            put(f"{db}/x%2By/att+1", query={"rev": "{{r2}}"}, text="plus", headers={"Content-Type": "text/plain"}),
            get(f"{db}/x%2By"), get(f"{db}/x%2By/att%201"), get(f"{db}/_all_docs")]


@scenario
def doc_update_conflicts(db):
    """Updates with the right, a missing, a stale and a malformed revision."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            put(f"{db}/a", json={"v": 2}),
            put(f"{db}/a", json={"v": 3, "_rev": "{{r1}}"}, save={"r2": "body.rev"}),
            put(f"{db}/a", json={"v": 4, "_rev": "{{r1}}"}),
            put(f"{db}/a", query={"rev": "{{r2}}"}, json={"v": 5}),
            put(f"{db}/a", json={"v": 6, "_rev": "garbage"}),
            put(f"{db}/a", json={"v": 7, "_rev": "9-" + "f" * 32}), get(f"{db}/a")]


@scenario
def doc_rev_query_body_disagree(db):
    """rev in the query, in the body and in If-Match must agree."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            put(f"{db}/a", query={"rev": "{{r1}}"}, json={"v": 2, "_rev": rev(1, "b")}),
            put(f"{db}/a", headers={"If-Match": rev(1, "b")}, json={"v": 3, "_rev": "{{r1}}"}),
            put(f"{db}/a", headers={"If-Match": "{{r1}}"}, query={"rev": rev(1, "c")}, json={"v": 4}),
            get(f"{db}/a")]


@scenario
def doc_if_match(db):
    """If-Match carries the revision for PUT and DELETE."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            put(f"{db}/a", headers={"If-Match": "{{r1}}"}, json={"v": 2}, save={"r2": "body.rev"}),
            delete(f"{db}/a", headers={"If-Match": "{{r1}}"}),
            delete(f"{db}/a", headers={"If-Match": "{{r2}}"}), get(f"{db}/a")]


@scenario
def doc_delete_reasons(db):
    """Deleting, and the `deleted` versus `missing` reasons afterwards."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            delete(f"{db}/a"), delete(f"{db}/a", query={"rev": rev(1, "f")}),
            delete(f"{db}/a", query={"rev": "{{r1}}"}, save={"r2": "body.rev"}),
            get(f"{db}/a"), head(f"{db}/a"), get(f"{db}/nothing"), head(f"{db}/nothing"),
            get(f"{db}/a", query={"rev": "{{r2}}"}), get(f"{db}/a", query={"revs": "true", "rev": "{{r2}}"}),
            delete(f"{db}/a", query={"rev": "{{r2}}"}), delete(f"{db}/nothing", query={"rev": rev(1, "a")})]


@scenario
def doc_recreate_after_delete(db):
    """PUT without a revision over a deleted document continues its history."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            delete(f"{db}/a", query={"rev": "{{r1}}"}), put(f"{db}/a", json={"v": 2}),
            get(f"{db}/a", query={"revs": "true"}), get(f"{db}/_all_docs")]


@scenario
def doc_created_deleted(db):
    """A document whose first revision is already deleted."""
    return [put(db), put(f"{db}/d", json={"_deleted": True, "x": 1}, save={"r1": "body.rev"}),
            get(f"{db}/d"), get(f"{db}/d", query={"rev": "{{r1}}"}), get(f"{db}/_all_docs"),
            get(f"{db}/_changes"), get(db), put(f"{db}/d", json={"x": 2}), get(f"{db}/d")]


@scenario
def doc_latest(db):
    """rev=old&latest=true gives the leaf; a plain old rev differs (README)."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            put(f"{db}/a", json={"v": 2, "_rev": "{{r1}}"}, save={"r2": "body.rev"}),
            put(f"{db}/a", json={"v": 3, "_rev": "{{r2}}"}, save={"r3": "body.rev"}),
            get(f"{db}/a", query={"rev": "{{r1}}", "latest": "true"}),
            get(f"{db}/a", query={"rev": "{{r3}}", "latest": "true"}),
            get(f"{db}/a", query={"open_revs": '["{{r2}}"]', "latest": "true"},
                headers={"Accept": "application/json"}),
            get(f"{db}/a", query={"rev": "{{r1}}"}, differs=differs(README_OLD_BODIES, ["headers.ETag"], divan={
                "status": 404, "body": {"json": {"error": "not_found", "reason": "missing"}}}))]


@scenario
def doc_conflicts(db):
    """conflicts=true, deleted_conflicts=true and meta=true on a conflicted document."""
    return [put(db), conflicted(db), get(f"{db}/c"), get(f"{db}/c", query={"conflicts": "true"}),
            get(f"{db}/c", query={"meta": "true"}),
            delete(f"{db}/c", query={"rev": rev(1, "a")}),
            get(f"{db}/c", query={"deleted_conflicts": "true", "conflicts": "true"}),
            get(f"{db}/c", query={"meta": "true"})]


@scenario
def doc_conflict_winner(db):
    """The longer branch wins; deleting it lets the other branch win."""
    return [put(db),
            post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": [
                {"_id": "c", "_rev": rev(1, "a"), "v": "short"},
                {"_id": "c", "_rev": rev(2, "b"), "v": "long",
                 "_revisions": {"start": 2, "ids": ["b" * 32, "c" * 32]}}]}),
            get(f"{db}/c", query={"conflicts": "true", "revs": "true"}),
            delete(f"{db}/c", query={"rev": rev(2, "b")}),
            get(f"{db}/c", query={"conflicts": "true", "deleted_conflicts": "true"})]


@scenario
def doc_revs_and_revs_info(db):
    """revs=true and revs_info=true; old revisions' status differs (README)."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            get(f"{db}/a", query={"revs_info": "true"}),
            put(f"{db}/a", json={"v": 2, "_rev": "{{r1}}"}, save={"r2": "body.rev"}),
            put(f"{db}/a", json={"v": 3, "_rev": "{{r2}}"}, save={"r3": "body.rev"}),
            get(f"{db}/a", query={"revs": "true"}),
            get(f"{db}/a", query={"revs_info": "true"}, differs=differs(
                README_OLD_BODIES, ["body.json._revs_info.1.status", "body.json._revs_info.2.status"])),
            delete(f"{db}/a", query={"rev": "{{r3}}"}, save={"r4": "body.rev"}),
            get(f"{db}/a", query={"rev": "{{r4}}", "revs": "true"})]


@scenario
def doc_open_revs(db):
    """open_revs=all and lists, as JSON: found, missing, and bad input. `all` answers
    the leaves ascending by (position, id), whatever the winner."""
    return [put(db), conflicted(db),
            get(f"{db}/c", query={"open_revs": "all"}, headers={"Accept": "application/json"}),
            get(f"{db}/c", query={"open_revs": [rev(1, "a"), rev(1, "f")]},
                headers={"Accept": "application/json"}),
            get(f"{db}/c", query={"open_revs": "all", "revs": "true"},
                headers={"Accept": "application/json"}),
            get(f"{db}/c", query={"open_revs": []}, headers={"Accept": "application/json"}),
            get(f"{db}/c", query={"open_revs": "notjson"}, headers={"Accept": "application/json"}),
            get(f"{db}/nothing", query={"open_revs": "all"}, headers={"Accept": "application/json"}),
            get(f"{db}/nothing", query={"open_revs": [rev(1, "a")]}, headers={"Accept": "application/json"})]


@scenario
def doc_open_revs_multipart(db):
    """open_revs without Accept: application/json answers multipart/mixed."""
    return [put(db), put(f"{db}/a", json={"only": "leaf"}),
            get(f"{db}/a", query={"open_revs": "all"}),
            get(f"{db}/a", query={"open_revs": "all"}, headers={"Accept": "multipart/mixed"})]


@scenario
def doc_id_unicode(db):
    """Unicode ids: Location is percent-encoded UTF-8; ids read back as text."""
    cafe, smile = "caf%C3%A9", "smile%F0%9F%98%80"
    return [put(db), put(f"{db}/{cafe}", json={"v": "cafe"}), get(f"{db}/{cafe}"),
            put(f"{db}/{smile}", json={"v": "smile"}), get(f"{db}/{smile}"),
            post(db, json={"_id": "\u00fcber", "v": "post"}),
            get(f"{db}/_all_docs")]


@scenario
def doc_id_space_slash(db):
    """Ids with spaces, encoded slashes, plus signs and question marks."""
    return [put(db), put(f"{db}/a%20b", json={"v": "space"}), put(f"{db}/a%2Fb", json={"v": "slash"}),
            put(f"{db}/a+b", json={"v": "plus"}), put(f"{db}/a%3Fb", json={"v": "question"}),
            get(f"{db}/a%2Fb"), get(f"{db}/a/b"), get(f"{db}/a+b"), get(f"{db}/a%2Bb"),
            get(f"{db}/_all_docs")]


@scenario
def doc_id_reserved(db):
    """Ids starting with underscore are reserved, except _design/ and _local/."""
    return [put(db), put(f"{db}/_bad", json={"v": 1}), post(db, json={"_id": "_bad", "v": 2}),
            bulk(db, [{"_id": "_bad", "v": 3}]), put(f"{db}/_design", json={"v": 4}),
            put(f"{db}/_local", json={"v": 5}), post(db, json={"_id": "", "v": 6}),
            get(f"{db}/_bad")]


@scenario
def design_doc_basic(db):
    """A design document: PUT, Location, GET both ways, listing, DELETE."""
    ddoc = {"language": "javascript", "views": {"by_id": {"map": "function(doc){emit(doc._id,null)}"}}}
    return [put(db), put(f"{db}/_design/app", json=ddoc, save={"r1": "body.rev"}),
            get(f"{db}/_design/app"), get(f"{db}/_design%2Fapp"), head(f"{db}/_design/app"),
            get(f"{db}/_design_docs"), delete(f"{db}/_design/app", query={"rev": "{{r1}}"}),
            get(f"{db}/_design/app")]


@scenario
def design_doc_encoded_slash(db):
    """PUT /db/_design%2Fname creates the design document _design/name."""
    return [put(db), put(f"{db}/_design%2Fenc", json={"v": 1}), get(f"{db}/_design/enc"),
            post(db, json={"_id": "_design/posted", "v": 2}), get(f"{db}/_design_docs")]


@scenario
def doc_invalid_bodies(db):
    """Bodies that are not objects, or that carry bad special members."""
    return [put(db), put(f"{db}/a", json=[1, 2]), put(f"{db}/a", json="text"), put(f"{db}/a", json=5),
            put(f"{db}/a", json=None), put(f"{db}/a", text="", headers={"Content-Type": "application/json"}),
            put(f"{db}/a", json={"_foo": 1}), put(f"{db}/a", json={"_attachments": 5}),
            put(f"{db}/a", json={"_revisions": "x"}), put(f"{db}/a", json={"_id": 5}),
            put(f"{db}/a", json={"_deleted": "yes"}), get(f"{db}/a")]


@scenario
def doc_body_id_mismatch(db):
    """The URL id wins over a different _id in the body."""
    return [put(db), put(f"{db}/url", json={"_id": "body", "v": 1}), get(f"{db}/url"), get(f"{db}/body")]


@scenario
def doc_content_type_lenient(db):
    """PUT of a document accepts non-JSON content types with a JSON body."""
    return [put(db),
            put(f"{db}/form", text='{"via": "form"}', headers={"Content-Type": "application/x-www-form-urlencoded"}),
            put(f"{db}/plain", text='{"via": "plain"}', headers={"Content-Type": "text/plain"}),
            put(f"{db}/none", text='{"via": "none"}'), get(f"{db}/form"), get(f"{db}/plain"), get(f"{db}/none")]


@scenario
def doc_copy(db):
    """COPY to a new id, over an existing one, and its errors."""
    return [put(db), put(f"{db}/src", json={"v": "source"}),
            copy(f"{db}/src", headers={"Destination": "dst"}), get(f"{db}/dst"),
            copy(f"{db}/src", headers={"Destination": "dst"}),
            put(f"{db}/other", json={"v": "other"}, save={"o": "body.rev"}),
            copy(f"{db}/src", headers={"Destination": "other?rev={{o}}"}), get(f"{db}/other"),
            copy(f"{db}/src"), copy(f"{db}/nothing", headers={"Destination": "x"}),
            copy(f"{db}/src", headers={"Destination": "caf%C3%A9"}), get(f"{db}/caf%C3%A9")]


@scenario
def doc_field_order_and_numbers(db):
    """Field order is kept; numbers, escapes and unicode round-trip."""
    raw = ('{"zeta": 1, "alpha": 2.5, "mid": -0.25, "big": 12345678901234567890, "exp": 1e3,'
           ' "neg": -7, "text": "\\u00e9\\ud83d\\ude00 \\"q\\" \\\\ \\n\\t", "t": true, "f": false,'
           ' "n": null, "arr": [3, 1, 2], "obj": {"y": 1, "x": 2}}')
    return [put(db), put(f"{db}/n", text=raw, headers={"Content-Type": "application/json"}),
            get(f"{db}/n")]


@scenario
def doc_query_param_errors(db):
    """Malformed query parameters on document reads."""
    return [put(db), put(f"{db}/a", json={"v": 1}), get(f"{db}/a", query={"rev": "bad"}),
            get(f"{db}/a", query={"revs": "maybe"}), get(f"{db}/a", query={"atts_since": "notjson"}),
            get(f"{db}/a", query={"conflicts": "yes"}), get(f"{db}/a", query={"rev": "1-zz"})]


@scenario
def doc_local_seq(db):
    """local_seq=true adds the document's sequence."""
    return [put(db), put(f"{db}/a", json={"v": 1}), put(f"{db}/b", json={"v": 2}),
            get(f"{db}/b", query={"local_seq": "true"})]


@scenario
def doc_put_new_edits_false(db):
    """PUT ?new_edits=false stores a given revision as is."""
    return [put(db), put(f"{db}/a", query={"new_edits": "false"}, json={"_rev": rev(3, "d"), "v": 1}),
            get(f"{db}/a", query={"revs": "true"}),
            put(f"{db}/b", query={"new_edits": "false"}, json={"v": 2})]


@scenario
def new_edits_false_revisions_override_rev(db):
    """With new_edits=false, _revisions decides the revision; a disagreeing _rev is ignored."""
    return [put(db),
            put(f"{db}/a", query={"new_edits": "false"},
                json={"_rev": rev(5, "a"), "_revisions": {"start": 2, "ids": ["b" * 32, "c" * 32]}, "v": 1}),
            get(f"{db}/a", query={"revs": "true"}),
            post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": [
                {"_id": "b", "_rev": rev(7, "d"), "_revisions": {"start": 3, "ids": ["e" * 32, "f" * 32]}, "v": 2}]}),
            get(f"{db}/b", query={"revs": "true"})]


@scenario
def settings_move_update_seq(db):
    """_revs_limit and _security changes count as updates; _changes' last_seq does not move."""
    return [put(db), put(f"{db}/a", json={"v": 1}), put(f"{db}/_revs_limit", json=5), get(db),
            put(f"{db}/_security", json={"members": {"names": ["x"]}}), get(db), get(f"{db}/_changes")]


@scenario
def doc_update_deleted_with_body(db):
    """DELETE-by-PUT: _deleted with extra fields keeps them in the tombstone."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            put(f"{db}/a", json={"_rev": "{{r1}}", "_deleted": True, "why": "gone"}, save={"r2": "body.rev"}),
            get(f"{db}/a"), get(f"{db}/a", query={"rev": "{{r2}}"}), get(f"{db}/_changes", query={"include_docs": "true"})]


# ===========================================================================
# _bulk_docs

@scenario
def bulk_docs_basic(db):
    """Create, conflict, update and delete through _bulk_docs."""
    return [put(db), bulk(db, [{"_id": "a", "v": 1}, {"_id": "b", "v": 2}], save={"a": "body.0.rev", "b": "body.1.rev"}),
            bulk(db, [{"_id": "a", "v": 3}, {"_id": "b", "_rev": "{{b}}", "v": 4}]),
            bulk(db, [{"_id": "a", "_rev": "{{a}}", "_deleted": True}]),
            get(f"{db}/_all_docs"), bulk(db, [{"v": 5}], save={"id": "body.0.id"}), get(f"{db}/{{{{id}}}}")]


@scenario
def bulk_docs_new_edits_false(db):
    """Replicator-style writes: given revisions with histories; response is []."""
    docs = [{"_id": "r", "_rev": rev(2, "b"), "v": 2, "_revisions": {"start": 2, "ids": ["b" * 32, "a" * 32]}}]
    return [put(db), post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": docs}),
            post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": docs}),
            get(f"{db}/r", query={"revs": "true"}),
            post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": [{"_id": "norev", "v": 1}]}),
            post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": [
                {"_id": "r", "_rev": rev(3, "c"), "v": 3, "_revisions": {"start": 3, "ids": ["c" * 32, "b" * 32]}}]}),
            get(f"{db}/r", query={"revs": "true", "conflicts": "true"})]


@scenario
def bulk_docs_new_edits_false_attachments(db):
    """Replicator-style writes carrying inline attachments, then a child with a stub."""
    att = {"f.bin": {"content_type": "application/octet-stream", "revpos": 1, "data": "AAEC"}}
    return [put(db), post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": [
                {"_id": "r", "_rev": rev(1, "a"), "v": 1, "_attachments": att}]}),
            get(f"{db}/r"),
            post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": [
                {"_id": "r", "_rev": rev(2, "b"), "v": 2, "_revisions": {"start": 2, "ids": ["b" * 32, "a" * 32]},
                 "_attachments": {"f.bin": {"stub": True, "revpos": 1}}}]}),
            get(f"{db}/r", query={"attachments": "true"}, headers={"Accept": "application/json"}),
            get(f"{db}/r/f.bin")]


@scenario
def bulk_docs_invalid(db):
    """_bulk_docs bodies that are wrong as a whole or per document."""
    return [put(db), post(f"{db}/_bulk_docs", json={}), post(f"{db}/_bulk_docs", json={"docs": "x"}),
            post(f"{db}/_bulk_docs", json=[{"_id": "a"}]), bulk(db, [1]), bulk(db, [{"_foo": 1}]),
            bulk(db, [{"_id": "ok", "v": 1}, {"_id": "_bad", "v": 2}]),
            bulk(db, [{"_id": "badrev", "_rev": "xyz"}]),
            post(f"{db}/_bulk_docs", text="{bad", headers={"Content-Type": "application/json"}),
            post(f"{db}/_bulk_docs", text='{"docs": []}', headers={"Content-Type": "text/plain"}),
            get(f"{db}/_all_docs")]


@scenario
def bulk_docs_all_or_nothing(db):
    """all_or_nothing: true is not supported: 417."""
    return [put(db), post(f"{db}/_bulk_docs", json={"all_or_nothing": True, "docs": [{"_id": "a", "v": 1}]}),
            get(f"{db}/_all_docs")]


@scenario
def bulk_docs_empty_and_mixed(db):
    """An empty batch, and a batch with one good and one conflicting document."""
    return [put(db), bulk(db, []), put(f"{db}/x", json={"v": 1}),
            bulk(db, [{"_id": "y", "v": 2}, {"_id": "x", "v": 3}, {"_id": "y", "v": 4}]),
            get(f"{db}/_all_docs")]


@scenario
def bulk_docs_sequence_order(db):
    """One batch takes its update sequences in document-id order (UTF-8 bytes), not in
    request order; the answer keeps request order. Interactive and replicated writes."""
    return [put(db),
            bulk(db, [{"_id": "z"}, {"_id": "m"}, {"_id": "\u00e9"}, {"_id": "a"}, {"_id": "m"}, {"_id": "B"}]),
            get(f"{db}/_changes"),
            post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": [
                {"_id": "y", "_rev": rev(1, "1")}, {"_id": "b", "_rev": rev(1, "2")}, {"_id": "a", "_rev": rev(1, "3")}]}),
            get(f"{db}/_changes")]


@scenario
def bulk_docs_local(db):
    """_local documents through _bulk_docs."""
    return [put(db), bulk(db, [{"_id": "_local/l", "v": 1}]), get(f"{db}/_local/l"),
            bulk(db, [{"_id": "_local/l", "_rev": "0-1", "v": 2}]), get(f"{db}/_local/l")]


# ===========================================================================
# _bulk_get

@scenario
def bulk_get_basic(db):
    """_bulk_get with current, specific, missing and unknown revisions."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            put(f"{db}/a", json={"v": 2, "_rev": "{{r1}}"}, save={"r2": "body.rev"}),
            post(f"{db}/_bulk_get", json={"docs": [{"id": "a"}, {"id": "a", "rev": "{{r2}}"},
                                                    {"id": "nothing"}, {"id": "a", "rev": rev(9, "f")},
                                                    {"id": "nothing", "rev": rev(1, "a")}]}),
            post(f"{db}/_bulk_get", query={"revs": "true"}, json={"docs": [{"id": "a"}]})]


@scenario
def bulk_get_old_revision(db):
    """_bulk_get of a revision that has a child (README: Divan drops its body)."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            put(f"{db}/a", json={"v": 2, "_rev": "{{r1}}"}),
            post(f"{db}/_bulk_get", json={"docs": [{"id": "a", "rev": "{{r1}}"}]},
                 differs=differs(README_OLD_BODIES, ["body.json.results.0.docs.0"]))]


@scenario
def bulk_get_conflicts_and_deleted(db):
    """_bulk_get of a conflicted document's branches and of a deleted document."""
    return [put(db), conflicted(db), put(f"{db}/d", json={"v": "d"}, save={"d": "body.rev"}),
            delete(f"{db}/d", query={"rev": "{{d}}"}, save={"d2": "body.rev"}),
            post(f"{db}/_bulk_get", json={"docs": [{"id": "c", "rev": rev(1, "a")}, {"id": "c", "rev": rev(1, "b")},
                                                    {"id": "c"}, {"id": "d"}, {"id": "d", "rev": "{{d2}}"}]})]


@scenario
def bulk_get_invalid(db):
    """_bulk_get with a bad body, and entries without an id or with a bad rev."""
    # (docs that is not a list crashes CouchDB: 500 function_clause; not compared.)
    return [put(db), put(f"{db}/a", json={"v": 1}), post(f"{db}/_bulk_get", json={}),
            post(f"{db}/_bulk_get", json={"docs": [{"rev": rev(1, "a")}, {"id": "a", "rev": "bad"}]}),
            post(f"{db}/_bulk_get", text="{bad", headers={"Content-Type": "application/json"})]


@scenario
def bulk_get_attachments(db):
    """_bulk_get with attachments=true inlines data; atts_since per entry."""
    doc = {"v": 1, "_attachments": {"f.bin": {"content_type": "application/octet-stream", "data": "AAEC"}}}
    return [put(db), put(f"{db}/a", json=doc, save={"r1": "body.rev"}),
            post(f"{db}/_bulk_get", query={"attachments": "true"}, json={"docs": [{"id": "a"}]}),
            post(f"{db}/_bulk_get", json={"docs": [{"id": "a"}]}),
            post(f"{db}/_bulk_get", query={"attachments": "true"},
                 json={"docs": [{"id": "a", "atts_since": ["{{r1}}"]}]})]


# ===========================================================================
# _all_docs

def some_docs(db):
    return [put(db), bulk(db, [{"_id": i, "v": n} for n, i in enumerate(["a", "b", "c", "d", "e", "_design/x"])],
                          save={"d": "body.3.rev"}),
            delete(f"{db}/d", query={"rev": "{{d}}"})]


@scenario
def all_docs_basic(db):
    """_all_docs: total_rows, offset, rows in id order (design docs first)."""
    return some_docs(db) + [get(f"{db}/_all_docs"), head(f"{db}/_all_docs")]


@scenario
def all_docs_ranges(db):
    """startkey/endkey/inclusive_end/descending/limit/skip/key."""
    q = lambda **kw: {k: (v if isinstance(v, str) and not k.endswith("key") else jsonlib.dumps(v)) for k, v in kw.items()}
    return some_docs(db) + [
        get(f"{db}/_all_docs", query=q(startkey="b", endkey="c")),
        get(f"{db}/_all_docs", query=q(startkey="b", endkey="c", inclusive_end="false")),
        get(f"{db}/_all_docs", query=q(start_key="b", end_key="e")),
        get(f"{db}/_all_docs", query=q(startkey="c", endkey="a", descending="true")),
        get(f"{db}/_all_docs", query=q(descending="true", limit="2")),
        get(f"{db}/_all_docs", query=q(skip="2", limit="2")),
        get(f"{db}/_all_docs", query=q(key="c")),
        get(f"{db}/_all_docs", query=q(key="d")),
        get(f"{db}/_all_docs", query=q(limit="0")),
        get(f"{db}/_all_docs", query=q(startkey="c", endkey="b"))]


@scenario
def all_docs_keys(db):
    """keys=[…]: offset null, missing keys as errors, deleted keys with value.deleted."""
    return some_docs(db) + [
        get(f"{db}/_all_docs", query={"keys": ["b", "zz", "d", "a"]}),
        get(f"{db}/_all_docs", query={"keys": ["b", "zz", "d"], "include_docs": "true"}),
        get(f"{db}/_all_docs", query={"keys": ["e", "a"], "descending": "true"}),
        get(f"{db}/_all_docs", query={"keys": []})]


@scenario
def all_docs_post_keys(db):
    """POST _all_docs with keys, include_docs and limit."""
    return some_docs(db) + [
        post(f"{db}/_all_docs", json={"keys": ["c", "a", "nothing"]}),
        post(f"{db}/_all_docs", query={"include_docs": "true"}, json={"keys": ["c", "d"]}),
        post(f"{db}/_all_docs", query={"limit": "1"}, json={"keys": ["c", "a"]}),
        post(f"{db}/_all_docs", json={}),
        post(f"{db}/_all_docs", json={"keys": "notalist"}),
        post(f"{db}/_all_docs", text="{bad", headers={"Content-Type": "application/json"})]


@scenario
def all_docs_include_docs(db):
    """include_docs with conflicts=true and attachment stubs."""
    return [put(db), conflicted(db),
            put(f"{db}/att", json={"_attachments": {"t.bin": {"content_type": "application/octet-stream", "data": "AQID"}}}),
            get(f"{db}/_all_docs", query={"include_docs": "true"}),
            get(f"{db}/_all_docs", query={"include_docs": "true", "conflicts": "true"}),
            get(f"{db}/_all_docs", query={"include_docs": "true", "attachments": "true"})]


@scenario
def all_docs_errors(db):
    """Bad query parameters on _all_docs."""
    return [put(db), get(f"{db}/_all_docs", query={"startkey": "notjson"}),
            get(f"{db}/_all_docs", query={"limit": "-1"}), get(f"{db}/_all_docs", query={"limit": "abc"}),
            get(f"{db}/_all_docs", query={"skip": "-1"}), get(f"{db}/_all_docs", query={"keys": "notjson"}),
            get(f"{db}/_all_docs", query={"keys": '"a"'}), get(f"{db}/_all_docs", query={"descending": "maybe"})]


@scenario
def all_docs_update_seq(db):
    """update_seq=true adds the database's sequence."""
    return [put(db), put(f"{db}/a", json={"v": 1}), put(f"{db}/b", json={"v": 2}),
            get(f"{db}/_all_docs", query={"update_seq": "true"})]


@scenario
def all_docs_id_collation(db):
    """Ids sort by raw bytes (not ICU) in _all_docs."""
    ids = ["a", "B", "\u00e9", "\u00e4", "z", "~", "A", "1", "_design/z"]
    return [put(db), bulk(db, [{"_id": i, "n": n} for n, i in enumerate(ids)]),
            get(f"{db}/_all_docs"), get(f"{db}/_all_docs", query={"descending": "true"})]


@scenario
def all_docs_empty(db):
    """_all_docs of an empty database."""
    return [put(db), get(f"{db}/_all_docs"), get(f"{db}/_all_docs", query={"include_docs": "true"})]


@scenario
def design_docs_listing(db):
    """_design_docs lists only design documents."""
    return some_docs(db) + [put(f"{db}/_design/y", json={"v": "y"}),
                            get(f"{db}/_design_docs"),
                            get(f"{db}/_design_docs", query={"include_docs": "true", "descending": "true"})]


# ===========================================================================
# _changes

def history(db):
    """a, b, c created; a updated; b deleted: sequences 1..5."""
    return [put(db), put(f"{db}/a", json={"v": "a1"}, save={"a": "body.rev"}),
            put(f"{db}/b", json={"v": "b1"}, save={"b": "body.rev"}),
            put(f"{db}/c", json={"v": "c1", "type": "keep"}),
            put(f"{db}/a", json={"v": "a2", "_rev": "{{a}}", "type": "keep"}),
            delete(f"{db}/b", query={"rev": "{{b}}"})]


@scenario
def changes_normal(db):
    """The normal feed: one row per document, latest change, in sequence order."""
    return history(db) + [get(f"{db}/_changes"), post(f"{db}/_changes", json={})]


@scenario
def changes_descending(db):
    """descending=true, with and without a limit."""
    return history(db) + [get(f"{db}/_changes", query={"descending": "true"}),
                          get(f"{db}/_changes", query={"descending": "true", "limit": "1"})]


@scenario
def changes_limit_pending(db):
    """limit reports the rest as pending."""
    return history(db) + [get(f"{db}/_changes", query={"limit": "1"}, save={"seq": "body.last_seq"}),
                          get(f"{db}/_changes", query={"limit": "2", "since": "{{seq}}"}),
                          get(f"{db}/_changes", query={"limit": "0"})]


@scenario
def changes_since(db):
    """since as a number, a saved sequence, now and garbage."""
    return history(db) + [
        get(f"{db}/_changes", query={"since": "3"}, differs=differs(README_SINCE, ["body", "headers"], divan={"status": 200})),
        get(f"{db}/_changes", query={"limit": "2"}, save={"seq": "body.last_seq"}),
        get(f"{db}/_changes", query={"since": "{{seq}}"}),
        get(f"{db}/_changes", query={"since": "now"}),
        get(f"{db}/_changes", query={"since": "garbage"}),
        get(f"{db}/_changes", query={"since": "-1"})]


@scenario
def changes_doc_ids(db):
    """filter=_doc_ids by query and by body; without doc_ids."""
    return history(db) + [
        get(f"{db}/_changes", query={"filter": "_doc_ids", "doc_ids": ["c", "b", "zz"]}),
        post(f"{db}/_changes", query={"filter": "_doc_ids"}, json={"doc_ids": ["a"]}),
        get(f"{db}/_changes", query={"filter": "_doc_ids"}),
        post(f"{db}/_changes", query={"filter": "_doc_ids"}, json={"doc_ids": "a"})]


@scenario
def changes_selector(db):
    """filter=_selector by body; missing and invalid selectors."""
    return history(db) + [
        post(f"{db}/_changes", query={"filter": "_selector"}, json={"selector": {"type": "keep"}}),
        post(f"{db}/_changes", query={"filter": "_selector", "include_docs": "true"},
             json={"selector": {"v": {"$gt": "b"}}}),
        post(f"{db}/_changes", query={"filter": "_selector"}, json={}),
        get(f"{db}/_changes", query={"filter": "_selector"}),
        post(f"{db}/_changes", query={"filter": "_selector"}, json={"selector": {"v": {"$bogus": 1}}})]


@scenario
def changes_design_filter(db):
    """filter=_design keeps design documents only. CouchDB looks them up instead of
    folding the changes, so `pending` is the changes after `since` (all of them when
    descending) less the rows sent; likewise a short `_doc_ids` list."""
    design = {"filter": "_design"}
    return history(db) + [
        put(f"{db}/_design/d", json={"v": "d"}), put(f"{db}/e", json={"v": "e"}),
        put(f"{db}/_design/f", json={"v": "f"}), put(f"{db}/g", json={"v": "g"}),
        get(f"{db}/_changes", query=design),
        get(f"{db}/_changes", query={**design, "limit": "1"}),
        get(f"{db}/_changes", query={**design, "descending": "true"}),
        get(f"{db}/_changes", query={**design, "descending": "true", "limit": "1"}),
        get(f"{db}/_changes", query={"limit": "3"}, save={"seq": "body.last_seq"}),
        get(f"{db}/_changes", query={**design, "since": "{{seq}}"}),
        get(f"{db}/_changes", query={**design, "since": "{{seq}}", "limit": "1"}),
        get(f"{db}/_changes", query={**design, "since": "{{seq}}", "descending": "true"}),
        get(f"{db}/_changes", query={"filter": "_doc_ids", "doc_ids": ["c", "_design/f", "zz"], "limit": "1"}),
        get(f"{db}/_changes", query={"filter": "_doc_ids", "doc_ids": ["c", "_design/f"], "descending": "true"}),
        get(f"{db}/_changes", query={"filter": "_doc_ids", "doc_ids": ["c", "_design/f"],
                                     "descending": "true", "limit": "1"})]


@scenario
def changes_ddoc_filter(db):
    """filter=ddoc/name: a missing design document, a malformed name, a JavaScript filter."""
    ddoc = {"filters": {"keep": "function(doc, req) { return doc.type == 'keep'; }"}}
    return history(db) + [
        get(f"{db}/_changes", query={"filter": "nodoc/nofilter"}),
        get(f"{db}/_changes", query={"filter": "bogus"}),
        put(f"{db}/_design/f", json=ddoc),
        get(f"{db}/_changes", query={"filter": "f/keep"})]


@scenario
def changes_style_all_docs(db):
    """style=all_docs lists every leaf of a conflicted document."""
    return [put(db), conflicted(db), put(f"{db}/plain", json={"v": 1}),
            get(f"{db}/_changes", query={"style": "all_docs"}, unordered=["results.*.changes"]),
            get(f"{db}/_changes")]  # (style=bogus crashes CouchDB: 500 badarg; not compared.)


@scenario
def changes_include_docs(db):
    """include_docs, with conflicts and deleted documents."""
    return history(db) + [conflicted(db, "k"),
                          get(f"{db}/_changes", query={"include_docs": "true"}),
                          get(f"{db}/_changes", query={"limit": "2"}, save={"seq": "body.last_seq"}),
                          get(f"{db}/_changes", query={"include_docs": "true", "conflicts": "true",
                                                       "since": "{{seq}}"})]


@scenario
def changes_include_docs_attachments(db):
    """include_docs shows attachment stubs, attachments=true their data."""
    doc = {"_attachments": {"f.bin": {"content_type": "application/octet-stream", "data": "AQID"}}}
    return [put(db), put(f"{db}/a", json=doc), get(f"{db}/_changes", query={"include_docs": "true"}),
            get(f"{db}/_changes", query={"include_docs": "true", "attachments": "true"})]


@scenario
def changes_continuous_limit(db):
    """feed=continuous with a limit ends after the rows and the last_seq line."""
    return history(db) + [get(f"{db}/_changes", query={"feed": "continuous", "limit": "2", "since": "0"}),
                          get(f"{db}/_changes", query={"feed": "longpoll", "since": "0"})]


@scenario
def changes_bad_parameters(db):
    """Unknown feed, bad limit and bad heartbeat."""
    return [put(db), get(f"{db}/_changes", query={"feed": "bogus"}),
            # (limit=abc crashes CouchDB: 500 badarg; not compared.)
            get(f"{db}/_changes", query={"limit": "-1"}),
            get(f"{db}/_changes", query={"heartbeat": "abc", "feed": "longpoll"})]


@scenario
def changes_local_docs_excluded(db):
    """_local documents never show in changes, nor move the database's sequence."""
    return [put(db), put(f"{db}/_local/l", json={"v": 1}), put(f"{db}/a", json={"v": 2}),
            put(f"{db}/_local/l", json={"v": 3, "_rev": "0-1"}), get(f"{db}/_changes"), get(db)]


# ===========================================================================
# Attachments

ATT_DOC = {"v": 1, "_attachments": {"hello.bin": {"content_type": "application/octet-stream",
                                                  "data": base64.b64encode(b"hello").decode()}}}


@scenario
def att_inline(db):
    """Inline base64 attachments: stubs on GET, data (without length) with attachments=true."""
    return [put(db), put(f"{db}/a", json=ATT_DOC), get(f"{db}/a"),
            get(f"{db}/a", query={"attachments": "true"}, headers={"Accept": "application/json"}),
            get(f"{db}/a/hello.bin")]


@scenario
def att_standalone(db):
    """PUT, GET, HEAD and DELETE of a standalone attachment."""
    binary = bytes(range(256))
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            put(f"{db}/a/f.bin", query={"rev": "{{r1}}"}, data=binary,
                headers={"Content-Type": "application/octet-stream"}, save={"r2": "body.rev"}),
            get(f"{db}/a/f.bin", save={"etag": "headers.ETag"}), head(f"{db}/a/f.bin"),
            get(f"{db}/a/f.bin", headers={"If-None-Match": "{{etag}}"}),
            get(f"{db}/a"),
            delete(f"{db}/a/f.bin", query={"rev": "{{r2}}"}), get(f"{db}/a/f.bin"), get(f"{db}/a")]


@scenario
def att_put_creates_document(db):
    """PUT of an attachment without a revision creates its document."""
    return [put(db), put(f"{db}/new/f.bin", data=b"\x00\x01", headers={"Content-Type": "application/octet-stream"}),
            get(f"{db}/new"), get(f"{db}/new/f.bin")]


@scenario
def att_put_conflicts(db):
    """Attachment writes need the current revision."""
    return [put(db), put(f"{db}/a", json={"v": 1}),
            put(f"{db}/a/f.bin", data=b"x", headers={"Content-Type": "application/octet-stream"}),
            put(f"{db}/a/f.bin", query={"rev": rev(1, "f")}, data=b"x",
                headers={"Content-Type": "application/octet-stream"}),
            delete(f"{db}/a/f.bin"), delete(f"{db}/a/nothing.bin", query={"rev": rev(1, "f")})]


@scenario
def att_range(db):
    """Range requests on a binary attachment: 206, suffix, open, clamped, 416."""
    rng = lambda r: {"Range": r}
    return [put(db), put(f"{db}/a/f.bin", data=b"0123456789", headers={"Content-Type": "application/octet-stream"}),
            get(f"{db}/a/f.bin", headers=rng("bytes=0-3")), get(f"{db}/a/f.bin", headers=rng("bytes=-3")),
            get(f"{db}/a/f.bin", headers=rng("bytes=5-")), get(f"{db}/a/f.bin", headers=rng("bytes=8-20")),
            get(f"{db}/a/f.bin", headers=rng("bytes=20-30")), get(f"{db}/a/f.bin", headers=rng("bytes=0-9")),
            get(f"{db}/a/f.bin", headers=rng("lines=1-2"))]


@scenario
def att_range_multiple(db):
    """Several ranges answer multipart/byteranges."""
    return [put(db), put(f"{db}/a/f.bin", data=b"0123456789", headers={"Content-Type": "application/octet-stream"}),
            get(f"{db}/a/f.bin", headers={"Range": "bytes=0-1,4-5"})]


@scenario
def att_gzip_types(db):
    """Compressible types are stored gzip-encoded: Content-Encoding, encoding info, no ranges."""
    text = "hello compressible world " * 20
    return [put(db), put(f"{db}/a/t.txt", text=text, headers={"Content-Type": "text/plain"}),
            get(f"{db}/a/t.txt"),
            get(f"{db}/a/t.txt", headers={"Accept-Encoding": "identity"}),
            get(f"{db}/a", query={"att_encoding_info": "true"}),
            get(f"{db}/a"),
            get(f"{db}/a", query={"attachments": "true"}, headers={"Accept": "application/json"}),
            get(f"{db}/a/t.txt", headers={"Range": "bytes=0-4", "Accept-Encoding": "identity"})]


@scenario
def att_unicode_name(db):
    """Attachment names with non-ASCII characters and spaces."""
    name = "caf%C3%A9%20%E2%98%95.txt"
    return [put(db), put(f"{db}/a/{name}", text="coffee", headers={"Content-Type": "application/octet-stream"}),
            get(f"{db}/a/{name}"), get(f"{db}/a")]


@scenario
def att_slash_name(db):
    """Attachment names containing a slash, raw and encoded."""
    return [put(db), put(f"{db}/a/dir/f.bin", data=b"one", headers={"Content-Type": "application/octet-stream"},
                         save={"r": "body.rev"}),
            put(f"{db}/a/dir%2Fg.bin", query={"rev": "{{r}}"}, data=b"two",
                headers={"Content-Type": "application/octet-stream"}),
            get(f"{db}/a/dir/f.bin"), get(f"{db}/a/dir%2Ff.bin"), get(f"{db}/a/dir/g.bin"), get(f"{db}/a")]


@scenario
def att_atts_since(db):
    """attachments=true&atts_since: only attachments newer than the given revisions."""
    return [put(db), put(f"{db}/a/one.bin", data=b"1", headers={"Content-Type": "application/octet-stream"},
                         save={"r1": "body.rev"}),
            put(f"{db}/a/two.bin", query={"rev": "{{r1}}"}, data=b"2",
                headers={"Content-Type": "application/octet-stream"}),
            get(f"{db}/a", query={"attachments": "true", "atts_since": ["{{r1}}"]},
                headers={"Accept": "application/json"}),
            get(f"{db}/a", query={"attachments": "true", "atts_since": [rev(9, "f")]},
                headers={"Accept": "application/json"}),
            get(f"{db}/a", query={"atts_since": ["{{r1}}"]}, headers={"Accept": "application/json"})]


@scenario
def att_missing(db):
    """Missing attachments, on existing and missing documents."""
    return [put(db), put(f"{db}/a", json={"v": 1}), get(f"{db}/a/nothing.bin"), head(f"{db}/a/nothing.bin"),
            get(f"{db}/nothing/f.bin")]


@scenario
def att_default_content_type(db):
    """An attachment PUT without a Content-Type."""
    return [put(db), put(f"{db}/a/f", data=b"raw"), get(f"{db}/a/f"), get(f"{db}/a")]


@scenario
def att_stubs_on_update(db):
    """Updating a document keeps attachments given as stubs; unknown stubs fail."""
    return [put(db), put(f"{db}/a", json=ATT_DOC, save={"r1": "body.rev"}),
            put(f"{db}/a", json={"v": 2, "_rev": "{{r1}}", "_attachments": {"hello.bin": {"stub": True}}},
                save={"r2": "body.rev"}),
            get(f"{db}/a"),
            put(f"{db}/a", json={"v": 3, "_rev": "{{r2}}", "_attachments": {"other.bin": {"stub": True}}}),
            put(f"{db}/a", json={"v": 4, "_rev": "{{r2}}"}, save={"r3": "body.rev"}), get(f"{db}/a")]


@scenario
def att_invalid_inline(db):
    """Inline attachment data that is not base64, or lacks a content type."""
    return [put(db),
            put(f"{db}/a", json={"_attachments": {"x": {"content_type": "text/plain", "data": "not base64!"}}}),
            put(f"{db}/b", json={"_attachments": {"x": {"data": "aGk="}}}), get(f"{db}/b"),
            put(f"{db}/c", json={"_attachments": {"x": "notanobject"}})]


@scenario
def att_design_document(db):
    """Attachments on design documents."""
    return [put(db), put(f"{db}/_design/app", json={"v": 1}, save={"r": "body.rev"}),
            put(f"{db}/_design/app/logo.bin", query={"rev": "{{r}}"}, data=b"\x89PNG",
                headers={"Content-Type": "image/png"}),
            get(f"{db}/_design/app/logo.bin"), get(f"{db}/_design/app")]


@scenario
def att_multipart_related(db):
    """attachments=true with Accept: multipart/related sends the document and its files as parts."""
    return [put(db), put(f"{db}/a", json=ATT_DOC),
            get(f"{db}/a", query={"attachments": "true"}, headers={"Accept": "multipart/related"})]


@scenario
def att_revpos(db):
    """revpos tracks the revision that last changed each attachment."""
    return [put(db), put(f"{db}/a/one.bin", data=b"1", headers={"Content-Type": "application/octet-stream"},
                         save={"r1": "body.rev"}),
            put(f"{db}/a/two.bin", query={"rev": "{{r1}}"}, data=b"2",
                headers={"Content-Type": "application/octet-stream"}, save={"r2": "body.rev"}),
            put(f"{db}/a/one.bin", query={"rev": "{{r2}}"}, data=b"11",
                headers={"Content-Type": "application/octet-stream"}),
            get(f"{db}/a")]


# ===========================================================================
# Local documents

@scenario
def local_lifecycle(db):
    """_local/x: PUT with Location, GET, update, conflicts, DELETE."""
    return [put(db), put(f"{db}/_local/x", json={"v": 1}), get(f"{db}/_local/x"),
            put(f"{db}/_local/x", json={"v": 2, "_rev": "0-1"}), put(f"{db}/_local/x", json={"v": 3}),
            put(f"{db}/_local/x", json={"v": 4, "_rev": "0-7"}), get(f"{db}/_local/x"),
            delete(f"{db}/_local/x"), delete(f"{db}/_local/x", query={"rev": "0-2"}),
            get(f"{db}/_local/x"), delete(f"{db}/_local/nothing", query={"rev": "0-1"})]


@scenario
def local_docs_listing(db):
    """_local_docs with include_docs, keys and descending."""
    return [put(db), put(f"{db}/_local/b", json={"v": "b"}), put(f"{db}/_local/a", json={"v": "a"}),
            put(f"{db}/doc", json={"v": "doc"}),
            get(f"{db}/_local_docs"), get(f"{db}/_local_docs", query={"include_docs": "true"}),
            get(f"{db}/_local_docs", query={"descending": "true"}),
            post(f"{db}/_local_docs", json={"keys": ["_local/a", "_local/zz"]})]


@scenario
def local_not_listed(db):
    """_local documents are not in _all_docs nor counted in db info."""
    return [put(db), put(f"{db}/_local/x", json={"v": 1}), put(f"{db}/a", json={"v": 2}),
            get(f"{db}/_all_docs"), get(db)]


@scenario
def local_odd_ids(db):
    """_local ids with encoded slashes and unicode."""
    return [put(db), put(f"{db}/_local/a%2Fb", json={"v": 1}), get(f"{db}/_local/a%2Fb"),
            put(f"{db}/_local/caf%C3%A9", json={"v": 2}), get(f"{db}/_local/caf%C3%A9"),
            get(f"{db}/_local%2Fa%2Fb")]


@scenario
def local_revs_queries(db):
    """Query options that make no sense for local documents."""
    return [put(db), put(f"{db}/_local/x", json={"v": 1}),
            get(f"{db}/_local/x", query={"revs": "true"}), get(f"{db}/_local/x", query={"conflicts": "true"}),
            get(f"{db}/_local/x", query={"rev": "0-1"})]


# ===========================================================================
# _revs_diff and _missing_revs

@scenario
def revs_diff(db):
    """_revs_diff: missing revisions and possible ancestors."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            put(f"{db}/a", json={"v": 2, "_rev": "{{r1}}"}, save={"r2": "body.rev"}),
            post(f"{db}/_revs_diff", json={"a": ["{{r2}}", rev(3, "f"), rev(1, "e")], "nothing": [rev(1, "a")]},
                 unordered=["a.missing", "a.possible_ancestors"]),
            post(f"{db}/_revs_diff", json={"a": ["{{r1}}", "{{r2}}"]}),
            post(f"{db}/_revs_diff", json={})]


@scenario
def revs_diff_invalid(db):
    """_revs_diff with bodies of the wrong shape."""
    # ({"a": "notalist"} and {"a": ["bad"]} crash CouchDB: 500 function_clause; not compared.)
    return [put(db), post(f"{db}/_revs_diff", json=["a"]),
            post(f"{db}/_revs_diff", text="{bad", headers={"Content-Type": "application/json"})]


@scenario
def missing_revs(db):
    """_missing_revs: the revisions the database lacks, per document."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            post(f"{db}/_missing_revs", json={"a": ["{{r1}}", rev(2, "f")], "nothing": [rev(1, "a")]},
                 unordered=["missing_revs.*"]),
            post(f"{db}/_missing_revs", json={"a": ["{{r1}}"]}), post(f"{db}/_missing_revs", json=[])]


# ===========================================================================
# Security

@scenario
def security_default(db):
    """A new database's _security, and setting members and admins."""
    sec = {"admins": {"names": ["dt_boss"], "roles": ["dt-admins"]}, "members": {"names": ["dt_m"], "roles": []}}
    return [put(db), get(f"{db}/_security"), put(f"{db}/_security", json=sec), get(f"{db}/_security"),
            put(f"{db}/_security", json={}), get(f"{db}/_security")]


@scenario
def security_member_rights(db):
    """A member reads and writes documents but not design documents or _security."""
    return [put(db), user("dt_member"), user("dt_outsider"),
            put(f"{db}/_security", json={"admins": {"names": [], "roles": []},
                                         "members": {"names": ["dt_member"], "roles": []}}),
            put(f"{db}/a", json={"v": 1}),
            get(f"{db}/a", auth=as_user("dt_member")), get(db, auth=as_user("dt_member")),
            put(f"{db}/b", json={"v": 2}, auth=as_user("dt_member")),
            put(f"{db}/_design/x", json={"v": 3}, auth=as_user("dt_member")),
            get(f"{db}/_security", auth=as_user("dt_member")),
            # (A member's PUT _security crashes CouchDB: 500 no_majority; not compared.)
            get(f"{db}/a", auth=as_user("dt_outsider")), get(f"{db}/a", auth=None),
            put(f"{db}/c", json={"v": 4}, auth=None)]


@scenario
def security_member_roles(db):
    """Membership by role; a database admin by role may write design documents."""
    return [put(db), user("dt_reader", ["dt-readers"]), user("dt_editor", ["dt-editors"]),
            put(f"{db}/_security", json={"admins": {"roles": ["dt-editors"]}, "members": {"roles": ["dt-readers"]}}),
            put(f"{db}/a", json={"v": 1}, auth=as_user("dt_reader")),
            put(f"{db}/_design/x", json={"v": 2}, auth=as_user("dt_editor")),
            put(f"{db}/_design/y", json={"v": 3}, auth=as_user("dt_reader")),
            get(f"{db}/_all_docs", auth=as_user("dt_reader")),
            put(f"{db}/_security", json={"admins": {"roles": ["dt-editors"]}, "members": {"roles": ["dt-readers"]}},
                auth=as_user("dt_editor"))]


@scenario
def security_admin_only_default(db):
    """Without members, only admins get in: 401 anonymous, 403 for a user."""
    return [put(db), user("dt_nobody"), put(f"{db}/a", json={"v": 1}),
            get(f"{db}/a", auth=None), get(f"{db}/a", auth=as_user("dt_nobody")),
            get(db, auth=as_user("dt_nobody")), get(f"{db}/_changes", auth=as_user("dt_nobody"))]


@scenario
def security_invalid(db):
    """_security bodies that are not JSON or not sent as JSON."""
    # (Objects of the wrong shape crash CouchDB: 500 no_majority; not compared.)
    return [put(db), put(f"{db}/_security", text="{bad", headers={"Content-Type": "application/json"}),
            put(f"{db}/_security", text="{}", headers={"Content-Type": "text/plain"}),
            get(f"{db}/_security")]


@scenario
def basic_auth_wrong_password(db):
    """Basic auth with a wrong password or unknown user is refused even where not needed."""
    # Never the admin: CouchDB locks a name out after 5 failures in 5 minutes.
    return [put(db), user("dt_wrongpw"), get(db, auth=("dt_wrongpw", "wrong")),
            get("/", auth=("dt_ghost", "x")), get("/_session", auth=("dt_ghost2", "x")), get(db, auth=None)]


# ===========================================================================
# _users and _session

@scenario
def users_create_and_read(db):
    """A user document: the password is hashed; the user may read it, others not."""
    return [user("dt_alice"), user("dt_bob"), get("/_users/org.couchdb.user:dt_alice"),
            get("/_users/org.couchdb.user:dt_alice", auth=as_user("dt_alice")),
            get("/_users/org.couchdb.user:dt_alice", auth=as_user("dt_bob")),
            get("/_users/_all_docs", auth=as_user("dt_alice")),
            get("/_users/org.couchdb.user:dt_alice", auth=None)]


@scenario
def users_invalid(db):
    """User documents with a wrong id, type or roles."""
    base = {"name": "dt_carol", "password": PASSWORD, "roles": [], "type": "user"}
    return [put("/_users/org.couchdb.user:dt_carol", json=dict(base, name="dt_other")),
            put("/_users/org.couchdb.user:dt_carol", json=dict(base, type="person")),
            put("/_users/org.couchdb.user:dt_carol", json=dict(base, roles="admin")),
            put("/_users/dt_carol", json=base),
            put("/_users/org.couchdb.user:dt_carol", json=dict(base, name=None))]


@scenario
def users_validation_rules(db):
    """The `_users` validation function's other rules, each checked in CouchDB's order."""
    u = "/_users/org.couchdb.user:"
    base = {"password": PASSWORD, "roles": [], "type": "user"}
    return [put(f"{u}dt_gina", json=dict(base, name="dt_gina", roles=["_admin"])),
            put(f"{u}_dt_hal", json=dict(base, name="_dt_hal")),
            put(f"{u}dt:ivan", json=dict(base, name="dt:ivan")),
            put(f"{u}dt_gina", json=dict(base, name="dt_gina", roles=[1])),
            put(f"{u}dt_gina", json=dict(base, name="dt_gina", roles=None)),
            put(f"{u}dt_gina", json={"name": "dt_gina", "roles": [], "type": "user", "password_scheme": "md5"}),
            put(f"{u}dt_gina", json={"name": "dt_gina", "roles": [], "type": "user", "password_scheme": "pbkdf2",
                                    "iterations": "10", "derived_key": "x"}),
            put(f"{u}dt_gina", json={"name": "dt_gina", "roles": [], "type": "user", "password_sha": "abc"}),
            put(f"{u}dt_gina", json=dict(base, name="dt_gina", roles=["_metrics"]), save={"r": "body.rev"}),
            delete(f"{u}dt_gina", query={"rev": "{{r}}"})]


@scenario
def users_security_fixed(db):
    """`_users` keeps its admin-only security: even a server admin cannot change it."""
    return [get("/_users/_security"), put("/_users/_security", json={"members": {"roles": []}}),
            get("/_users/_security")]


@scenario
def users_bulk_docs(db):
    """`_bulk_docs` into `_users` runs the same rules: passwords hashed, bad users refused per row."""
    u = "org.couchdb.user:"
    return [post("/_users/_bulk_docs", json={"docs": [
                {"_id": u + "dt_judy", "name": "dt_judy", "password": PASSWORD, "roles": [], "type": "user"},
                {"_id": u + "dt_karl", "name": "dt_karl", "password": PASSWORD, "roles": [], "type": "person"}]}),
            get(f"/_users/{u}dt_judy", save={"r": "body._rev"}),
            delete(f"/_users/{u}dt_judy", query={"rev": "{{r}}"})]


@scenario
def users_bulk_docs_replicated(db):
    """A replicator's write into `_users` (`new_edits: false`) runs the same rules
    (couch_users_db:before_doc_update/3 and validation): a plain password is hashed and
    the revision id kept, the user can log in; a bad user is refused in a row with its rev."""
    u = "org.couchdb.user:"
    judy = {"_id": u + "dt_rjudy", "_rev": rev(1, "a"), "name": "dt_rjudy", "password": PASSWORD,
            "roles": [], "type": "user"}
    karl = {"_id": u + "dt_rkarl", "_rev": rev(1, "b"), "name": "dt_rkarl", "roles": [], "type": "person"}
    return [post("/_users/_bulk_docs", json={"new_edits": False, "docs": [judy, karl]}),
            get(f"/_users/{u}dt_rjudy"), get(f"/_users/{u}dt_rkarl"),
            get("/_session", auth=as_user("dt_rjudy")),
            # Purged, so that recording again writes the same revision afresh.
            post("/_users/_purge", json={u + "dt_rjudy": [rev(1, "a")]}),
            get(f"/_users/{u}dt_rjudy")]


@scenario
def users_self_signup(db):
    """Anonymous sign-up creates a user; it may not give itself roles."""
    doc = {"name": "dt_dave", "password": PASSWORD, "roles": [], "type": "user"}
    return [put("/_users/org.couchdb.user:dt_dave", json=doc, auth=None),
            put("/_users/org.couchdb.user:dt_erin", json={"name": "dt_erin", "password": PASSWORD,
                                                         "roles": ["boss"], "type": "user"}, auth=None),
            get("/_session", auth=as_user("dt_dave"))]


@scenario
def session_json(db):
    """POST /_session (JSON), GET with the cookie, DELETE."""
    return [user("dt_sam"),
            post("/_session", json={"name": "dt_sam", "password": PASSWORD}, auth=None,
                 save={"cookie": "cookie.AuthSession"}),
            get("/_session", headers={"Cookie": "AuthSession={{cookie}}"}, auth=None),
            delete("/_session", headers={"Cookie": "AuthSession={{cookie}}"}, auth=None)]


@scenario
def session_form(db):
    """POST /_session as an HTML form."""
    return [user("dt_fay"),
            post("/_session", form={"name": "dt_fay", "password": PASSWORD}, auth=None,
                 save={"cookie": "cookie.AuthSession"}),
            get("/_session", headers={"Cookie": "AuthSession={{cookie}}"}, auth=None)]


@scenario
def session_bad_credentials(db):
    """Wrong password, unknown user, missing fields, wrong content type."""
    return [user("dt_gus"), post("/_session", json={"name": "dt_gus", "password": "wrong"}, auth=None),
            post("/_session", json={"name": "dt_nobody_here", "password": "x"}, auth=None),
            post("/_session", json={"name": "dt_nopw"}, auth=None), post("/_session", json={}, auth=None),
            post("/_session", text="name=dt_gus", headers={"Content-Type": "text/plain"}, auth=None),
            post("/_session", text="{bad", headers={"Content-Type": "application/json"}, auth=None),
            get("/_session", headers={"Cookie": "AuthSession=bogus"}, auth=None)]


@scenario
def session_info(db):
    """GET /_session anonymous and with Basic auth as admin and as a user."""
    return [user("dt_hal"), get("/_session", auth=None), get("/_session"),
            get("/_session", auth=as_user("dt_hal")), head("/_session", auth=None)]


@scenario
def session_admin_cookie(db):
    """A server admin's session carries the _admin role."""
    login = {"name": "{{admin_user}}", "password": "{{admin_password}}"}
    return [post("/_session", json=login, auth=None, save={"cookie": "cookie.AuthSession"}),
            get("/_session", headers={"Cookie": "AuthSession={{cookie}}"}, auth=None),
            get("/_all_dbs", query={"startkey": '"dt-session-admin-cookie"', "endkey": '"dt-session-admin-cookie"'},
                headers={"Cookie": "AuthSession={{cookie}}"}, auth=None)]


@scenario
def session_next_redirect(db):
    """POST /_session?next=… redirects after logging in."""
    return [user("dt_ivy"),
            post("/_session", query={"next": "/_up"}, json={"name": "dt_ivy", "password": PASSWORD}, auth=None),
            post("/_session", query={"next": "/_up"}, json={"name": "dt_ivy", "password": "wrong"}, auth=None)]


@scenario
def session_cookie_db_access(db):
    """A cookie session reads a database where its user is a member."""
    return [put(db), user("dt_jo"),
            put(f"{db}/_security", json={"members": {"names": ["dt_jo"]}}), put(f"{db}/a", json={"v": 1}),
            post("/_session", json={"name": "dt_jo", "password": PASSWORD}, auth=None,
                 save={"cookie": "cookie.AuthSession"}),
            get(f"{db}/a", headers={"Cookie": "AuthSession={{cookie}}"}, auth=None),
            put(f"{db}/_design/x", json={"v": 2}, headers={"Cookie": "AuthSession={{cookie}}"}, auth=None)]


# ===========================================================================
# _revs_limit, purge

@scenario
def revs_limit(db):
    """GET and PUT _revs_limit; bad values."""
    return [put(db), get(f"{db}/_revs_limit"), put(f"{db}/_revs_limit", json=5), get(f"{db}/_revs_limit"),
            # (Non-integers, 0 and -1 crash CouchDB: 500 function_clause; not compared.)
            put(f"{db}/_revs_limit", text="7", headers={"Content-Type": "text/plain"}),
            get(f"{db}/_revs_limit")]


@scenario
def revs_limit_stemming(db):
    """With _revs_limit 2, a document's history keeps two revisions."""
    steps = [put(db), put(f"{db}/_revs_limit", json=2), put(f"{db}/a", json={"v": 0}, save={"r0": "body.rev"})]
    for n in range(1, 4):
        steps.append(put(f"{db}/a", json={"v": n, "_rev": f"{{{{r{n - 1}}}}}"}, save={f"r{n}": "body.rev"}))
    return steps + [get(f"{db}/a", query={"revs": "true"})]


@scenario
def revs_limit_sibling_branch(db):
    """With _revs_limit 3, a branch joining a stemmed tree keeps one older revision for
    its own sake; the other leaf's `_revisions` is still cut to three (revs_info is not)."""
    ids = [c * 32 for c in "0123456789"]
    return [put(db), put(f"{db}/_revs_limit", json=3),
            post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": [
                {"_id": "s", "_rev": f"10-{ids[0]}", "v": 10, "_revisions": {"start": 10, "ids": ids}}]}),
            post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": [
                {"_id": "s", "_rev": f"9-{'f' * 32}", "v": 9,
                 "_revisions": {"start": 9, "ids": ["f" * 32] + ids[2:]}}]}),
            get(f"{db}/s", query={"revs": "true"}), get(f"{db}/s", query={"revs_info": "true"}),
            get(f"{db}/s", query={"open_revs": "all", "revs": "true"}, headers={"Accept": "application/json"}),
            get(f"{db}/s", query={"rev": f"9-{'f' * 32}", "revs": "true"})]


@scenario
def node_config_other_keys(db):
    """/_node/_local/_config: another tool's section is stored (trimmed), read, listed and
    deleted; non-string values, unknown keys and wrong methods get CouchDB's errors."""
    base = "/_node/_local/_config/dt_config_section"
    return [put(f"{base}/k", json="  v1  "), get(f"{base}/k"), put(f"{base}/k", json="v2"),
            put(f"{base}/k", json=12), get(base), post(base, json="x"), post(f"{base}/k", json="x"),
            get(f"{base}/k/extra"), post("/_node/_local/_config/_reload"),
            delete(f"{base}/k"), delete(f"{base}/k"), get(f"{base}/k"), get(base)]


@scenario
def purge_basic(db):
    """Purging a document's only revision removes it entirely."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}), put(f"{db}/b", json={"v": 2}),
            post(f"{db}/_purge", json={"a": ["{{r1}}"]}), get(f"{db}/a"), get(f"{db}/_all_docs"),
            get(f"{db}/_changes"), get(db)]


@scenario
def purge_unknown(db):
    """Purging unknown documents and revisions purges nothing."""
    return [put(db), put(f"{db}/a", json={"v": 1}),
            post(f"{db}/_purge", json={"nothing": [rev(1, "a")], "a": [rev(1, "f")]}), get(db)]


@scenario
def purge_branch(db):
    """Purging a losing branch leaves the winner without conflicts."""
    return [put(db), conflicted(db), post(f"{db}/_purge", json={"c": [rev(1, "a")]}),
            get(f"{db}/c", query={"conflicts": "true"}),
            post(f"{db}/_purge", json={"c": [rev(1, "b")]}), get(f"{db}/c")]


@scenario
def purge_invalid(db):
    """_purge with bodies of the wrong shape, and its limit endpoint."""
    return [put(db), post(f"{db}/_purge", json=[]), post(f"{db}/_purge", json={"a": "notalist"}),
            get(f"{db}/_purged_infos_limit"), put(f"{db}/_purged_infos_limit", json=10),
            get(f"{db}/_purged_infos_limit"), put(f"{db}/_purged_infos_limit", json="x")]


# ===========================================================================
# Errors

@scenario
def malformed_json(db):
    """Malformed JSON bodies on the main endpoints."""
    bad = {"text": "{bad", "headers": {"Content-Type": "application/json"}}
    return [put(db), put(f"{db}/a", **bad), post(db, **bad), post(f"{db}/_bulk_docs", **bad),
            post(f"{db}/_all_docs", **bad), post(f"{db}/_changes", **bad), put(f"{db}/_security", **bad),
            post(f"{db}/_revs_diff", **bad), put(f"{db}/a", data=b'{"v": "\xff"}',
                                                 headers={"Content-Type": "application/json"})]


@scenario
def missing_doc_reasons(db):
    """not_found bodies: missing document, deleted document, missing revision."""
    return [put(db), put(f"{db}/a", json={"v": 1}, save={"r1": "body.rev"}),
            put(f"{db}/b", json={"v": 2}, save={"b": "body.rev"}), delete(f"{db}/b", query={"rev": "{{b}}"}),
            get(f"{db}/nothing"), get(f"{db}/b"), get(f"{db}/a", query={"rev": rev(1, "f")}),
            get(f"{db}/a", query={"rev": rev(9, "f")}), get(f"{db}/_design/nothing"),
            get(f"{db}/_local/nothing")]


# ===========================================================================
# Mango: _index, _find, _explain

MANGO_REF = "CouchDB's 500 answers carry a random `ref` for its log; Divan's have none"

MANGO_DOCS = [
    {"_id": "a", "type": "fruit", "n": 3, "name": "apple", "tags": ["red", "sweet"], "info": {"origin": "FR", "kg": 1.5}},
    {"_id": "b", "type": "fruit", "n": 1, "name": "Banana", "tags": ["yellow"], "info": {"origin": "EC"}},
    {"_id": "c", "type": "veg", "n": 2, "name": "carrot", "tags": [], "info": {"origin": "FR", "kg": 0.5}},
    {"_id": "d", "type": "veg", "n": 5, "name": "daikon", "tags": ["white", "long"]},
    {"_id": "e", "type": "fruit", "n": 4, "name": "elderberry", "tags": ["black"], "a.b": "dotted"},
    {"_id": "f", "type": "nut", "n": "six", "name": "fig nut", "tags": [1, 2, 3]},
    {"_id": "g", "type": "nut", "n": None, "name": "ginkgo"},
    {"_id": "h", "type": "veg", "name": "horseradish", "n": 2.5, "tags": ["white"]},
]


def mango_setup(db, *indexes):
    steps = [put(db), bulk(db, MANGO_DOCS)]
    for ddoc, name, fields in indexes:
        steps.append(post(f"{db}/_index", json={"index": {"fields": fields}, "ddoc": ddoc, "name": name}))
    return steps


def find(db, body, **kw):
    return post(f"{db}/_find", json=body, **kw)


def explain(db, body, **kw):
    # CouchDB lists the candidates in the order of an Erlang map of index records.
    return post(f"{db}/_explain", json=body, unordered=["index_candidates"], **kw)


@scenario
def mango_index_crud(db):
    """POST /_index creates then finds the index existing; GET lists it with _all_docs; the
    design document is CouchDB's; DELETE removes it (and the design document), twice is 404."""
    return [put(db),
            post(f"{db}/_index", json={"index": {"fields": ["n"]}, "ddoc": "byn", "name": "n-idx"}),
            post(f"{db}/_index", json={"index": {"fields": ["n"]}, "ddoc": "byn", "name": "n-idx"}),
            post(f"{db}/_index", json={"index": {"fields": [{"type": "desc"}, {"n": "desc"}]},
                                       "ddoc": "_design/multi", "name": "tn", "type": "json"}),
            post(f"{db}/_index", json={"index": {"fields": ["n"], "partial_filter_selector": {"type": "veg"}},
                                       "ddoc": "byn", "name": "veg-n"}),
            get(f"{db}/_index"), get(f"{db}/_index", query={"limit": "1", "skip": "1"}),
            get(f"{db}/_design/byn"), get(f"{db}/_design/multi"),
            delete(f"{db}/_index/byn/json/n-idx"), get(f"{db}/_design/byn"),
            delete(f"{db}/_index/_design/multi/json/tn"), get(f"{db}/_design/multi"),
            delete(f"{db}/_index/multi/json/tn"), delete(f"{db}/_index/byn/json/nothing"),
            get(f"{db}/_index")]


@scenario
def mango_index_errors(db):
    """Index definitions CouchDB refuses."""
    return [put(db),
            post(f"{db}/_index", json={}), post(f"{db}/_index", json={"index": {}}),
            post(f"{db}/_index", json={"index": {"fields": "n"}}),
            post(f"{db}/_index", json={"index": {"fields": [5]}}),
            post(f"{db}/_index", json={"index": {"fields": [{"n": "up"}]}}),
            post(f"{db}/_index", json={"index": {"fields": [{"a": "asc"}, {"b": "desc"}]}}),
            post(f"{db}/_index", json={"index": {"fields": ["n"]}, "type": "text"}),
            post(f"{db}/_index", json={"index": {"fields": ["n"]}, "type": "geo"}),
            post(f"{db}/_index", json={"index": {"fields": ["n"]}, "name": ""}),
            post(f"{db}/_index", json={"index": {"fields": ["n"]}, "ddoc": 5}),
            post(f"{db}/_index", json={"index": {"fields": ["n"]}, "colour": "red"}),
            post(f"{db}/_index", json={"index": "n"}),
            put(f"{db}/_design/js", json={"language": "javascript", "views": {}}),
            post(f"{db}/_index", json={"index": {"fields": ["n"]}, "ddoc": "js", "name": "x"}),
            get(f"{db}/_index", query={"limit": "0"}, differs=differs(MANGO_REF, ["body.json.ref"])),
            get(f"{db}/_index", query={"skip": "x"}, differs=differs(MANGO_REF, ["body.json.ref"])),
            put(f"{db}/_index"), delete(f"{db}/_index/js/json"), post(f"{db}/_find", json={"selector": {}},
                                                                 headers={"Content-Type": "text/plain"})]


@scenario
def mango_operators(db):
    """Every selector operator, answered from _all_docs (no index): same documents, same warnings."""
    sels = [
        {"type": "fruit"}, {"n": {"$eq": 2}}, {"n": {"$ne": 2}}, {"n": {"$gt": 2}}, {"n": {"$gte": 2}},
        {"n": {"$lt": 3}}, {"n": {"$lte": 3}}, {"n": {"$gt": None}}, {"info": {"$exists": True}},
        {"info": {"$exists": False}}, {"n": {"$type": "string"}}, {"n": {"$type": "null"}},
        {"n": {"$in": [1, 5, "six"]}}, {"n": {"$nin": [1, 5]}}, {"tags": {"$size": 0}},
        {"tags": {"$size": 2}}, {"n": {"$mod": [2, 1]}}, {"name": {"$regex": "^[a-d]"}},
        {"name": {"$regex": "(?i)^b"}}, {"name": {"$beginsWith": "el"}},
        {"$and": [{"type": "veg"}, {"n": {"$gt": 2}}]}, {"$or": [{"type": "nut"}, {"n": 1}]},
        {"$nor": [{"type": "fruit"}, {"type": "veg"}]}, {"n": {"$not": {"$gt": 2}}},
        {"tags": {"$all": ["white"]}}, {"tags": {"$elemMatch": {"$eq": "red"}}},
        {"tags": {"$allMatch": {"$gt": 0}}}, {"info": {"$keyMapMatch": {"$eq": "kg"}}},
        {"info.origin": "FR"}, {"info": {"origin": "FR"}}, {"info.kg": {"$gte": 1}},
        {"a\\.b": "dotted"}, {"tags.0": "white"}, {"_id": {"$gt": "c"}}, {"_id": {"$in": ["a", "z"]}},
        {"n": {"$gt": 1, "$lt": 5}}, {"type": {"$in": []}}, {"$or": []},
    ]
    return mango_setup(db) + [find(db, {"selector": s}) for s in sels]


@scenario
def mango_indexed_find(db):
    """Queries a JSON index serves: ranges, equality, sort asc/desc on several fields,
    limit, skip, fields, execution_stats."""
    idx = [("tn", "type-n", ["type", "n"]), ("n", "n", ["n"])]
    return mango_setup(db, *idx) + [
        find(db, {"selector": {"n": {"$gt": 2}}, "execution_stats": True}),
        find(db, {"selector": {"n": {"$gte": 2, "$lt": 5}}, "sort": ["n"]}),
        find(db, {"selector": {"n": {"$gt": 0}}, "sort": [{"n": "desc"}], "limit": 3}),
        find(db, {"selector": {"type": "veg"}, "sort": ["type", "n"], "execution_stats": True}),
        find(db, {"selector": {"type": "fruit"}, "sort": [{"type": "desc"}, {"n": "desc"}]}),
        find(db, {"selector": {"type": "fruit", "n": {"$gt": 1}}, "sort": ["n"]}),
        find(db, {"selector": {"type": {"$gt": "a"}}, "sort": ["type", "n"], "skip": 2, "limit": 3}),
        find(db, {"selector": {"n": {"$gt": 0}}, "fields": ["_id", "n"], "execution_stats": True}),
        find(db, {"selector": {"n": {"$gt": 0}}, "fields": ["name", "info.origin"], "limit": 4}),
        find(db, {"selector": {"n": {"$exists": True}}, "sort": ["n"], "limit": 0}),
        find(db, {"selector": {"n": {"$beginsWith": "s"}}}),
        find(db, {"selector": {"n": {"$lt": 0}}, "execution_stats": True}),
        find(db, {"selector": {"n": {"$gt": 3, "$lt": 2}}}),
    ]


@scenario
def mango_bookmark_paging(db):
    """Paging with bookmarks through an index and through _all_docs; a bookmark that is
    not one is refused."""
    return mango_setup(db, ("n", "n", ["n"])) + [
        find(db, {"selector": {"n": {"$gt": 0}}, "limit": 2}, save={"p1": "body.bookmark"}),
        find(db, {"selector": {"n": {"$gt": 0}}, "limit": 2, "bookmark": "{{p1}}"}, save={"p2": "body.bookmark"}),
        find(db, {"selector": {"n": {"$gt": 0}}, "limit": 2, "bookmark": "{{p2}}"}, save={"p3": "body.bookmark"}),
        find(db, {"selector": {"n": {"$gt": 0}}, "limit": 2, "bookmark": "{{p3}}"}),
        find(db, {"selector": {"n": {"$gt": 0}}, "sort": [{"n": "desc"}], "limit": 3}, save={"d1": "body.bookmark"}),
        find(db, {"selector": {"n": {"$gt": 0}}, "sort": [{"n": "desc"}], "limit": 3, "bookmark": "{{d1}}"}),
        find(db, {"selector": {"type": {"$gt": None}}, "limit": 3}, save={"a1": "body.bookmark"}),
        find(db, {"selector": {"type": {"$gt": None}}, "limit": 3, "bookmark": "{{a1}}"}),
        find(db, {"selector": {"type": "nothing"}, "limit": 3}),
        find(db, {"selector": {}, "bookmark": "garbage!"}),
        find(db, {"selector": {}, "bookmark": 5}, differs=differs(MANGO_REF, ["body.json.ref"])),
    ]


@scenario
def mango_use_index(db):
    """use_index naming a usable index, an unusable one (warning, fallback), a missing one
    with allow_fallback false; a sort no index serves."""
    return mango_setup(db, ("tn", "type-n", ["type", "n"]), ("n", "n", ["n"])) + [
        find(db, {"selector": {"type": "veg", "n": {"$gt": 1}}, "use_index": "tn"}),
        find(db, {"selector": {"type": "veg", "n": {"$gt": 1}}, "use_index": ["n", "n"]}),
        find(db, {"selector": {"type": "veg", "n": {"$gt": 1}}, "use_index": "_design/n/n"}),
        find(db, {"selector": {"name": "apple"}, "use_index": "n"}),
        find(db, {"selector": {"name": "apple"}, "use_index": ["n", "n"]}),
        find(db, {"selector": {"name": "apple"}, "use_index": "nothing", "allow_fallback": False}),
        find(db, {"selector": {"name": "apple"}, "use_index": ["nothing", "x"], "allow_fallback": False}),
        find(db, {"selector": {"name": "apple"}, "sort": ["name"]}),
        find(db, {"selector": {"n": {"$gt": 1}}, "sort": ["name"]}),
        find(db, {"selector": {"_id": {"$gt": "b"}}, "sort": ["_id"], "limit": 2}),
        find(db, {"selector": {"type": "veg"}, "sort": ["n"]}),
    ]


@scenario
def mango_explain(db):
    """_explain of an indexed range, a sort, a fallback to _all_docs and a covering query."""
    return mango_setup(db, ("tn", "type-n", ["type", "n"]), ("n", "n", ["n"])) + [
        explain(db, {"selector": {"n": {"$gt": 2}}}),
        explain(db, {"selector": {"type": "veg", "n": {"$lte": 4}}, "sort": [{"type": "desc"}]}),
        explain(db, {"selector": {"name": "apple"}, "limit": 5, "skip": 1}),
        explain(db, {"selector": {"n": {"$gt": 2}}, "fields": ["n"], "conflicts": True}),
        explain(db, {"selector": {"_id": {"$gte": "b", "$lt": "e"}}}),
        get(f"{db}/_explain"),
    ]


@scenario
def mango_find_errors(db):
    """_find bodies CouchDB refuses: every option with a bad value, bad selectors."""
    bad = [
        {}, {"selector": []}, {"selector": {}, "limit": -1}, {"selector": {}, "limit": "5"},
        {"selector": {}, "skip": 1.5}, {"selector": {}, "sort": "n"}, {"selector": {}, "sort": [{"n": "up"}]},
        {"selector": {}, "sort": [{"a": "asc"}, {"b": "desc"}]}, {"selector": {}, "sort": [""]},
        {"selector": {}, "fields": "n"}, {"selector": {}, "fields": [5]}, {"selector": {}, "use_index": 5},
        {"selector": {}, "use_index": "a/b/c"}, {"selector": {}, "r": 0}, {"selector": {}, "conflicts": "yes"},
        {"selector": {}, "execution_stats": 1}, {"selector": {}, "colour": "red"},
        {"selector": {"n": {"$bogus": 1}}}, {"selector": {"n": {"$in": 5}}}, {"selector": {"$gt": 1}},
        {"selector": {"n": {"$regex": "("}}}, {"selector": {"n": {"$size": "x"}}},
        {"selector": {"n": {"$where": "x"}}},
    ]
    text = find(db, {"selector": {"$text": "x"}}, differs=differs(
        "README 'Mango': without text indexes Divan refuses $text (400 not_supported); CouchDB "
        "without a search service answers no documents", ["status", "body.json"]))
    return [put(db)] + [find(db, body) for body in bad] + [text, get(f"{db}/_find")]


@scenario
def mango_conflicts_and_writes(db):
    """conflicts: true shows _conflicts; a write, an update and a delete are seen by the
    next _find through the index."""
    return mango_setup(db, ("n", "n", ["n"])) + [
        conflicted(db, "k"),
        find(db, {"selector": {"_id": "k"}, "conflicts": True}),
        put(f"{db}/z", json={"n": 0.5}, save={"z": "body.rev"}),
        find(db, {"selector": {"n": {"$lt": 2}}, "fields": ["_id", "n"]}),
        put(f"{db}/z", query={"rev": "{{z}}"}, json={"n": 9}, save={"z2": "body.rev"}),
        find(db, {"selector": {"n": {"$lt": 2}}, "fields": ["_id", "n"]}),
        find(db, {"selector": {"n": {"$gt": 5}}, "fields": ["_id", "n"]}),
        delete(f"{db}/z", query={"rev": "{{z2}}"}),
        find(db, {"selector": {"n": {"$gt": 5}}, "fields": ["_id", "n"]}),
    ]


@scenario
def mango_partial_index(db):
    """A partial index is used only when named; it leaves out what its filter rejects."""
    return mango_setup(db) + [
        post(f"{db}/_index", json={"index": {"fields": ["n"], "partial_filter_selector": {"type": "veg"}},
                                   "ddoc": "veg", "name": "veg-n"}),
        find(db, {"selector": {"n": {"$gt": 0}}}),
        find(db, {"selector": {"n": {"$gt": 0}}, "use_index": "veg"}),
        explain(db, {"selector": {"n": {"$gt": 0}}, "use_index": "veg"}),
    ]


# ===========================================================================
# JavaScript views

README_JS_ERRORS = ("README 'Views (JavaScript)': JavaScriptCore words syntax errors its own way, so a "
                    "compilation_error's reason names the same view but not the same parser message")
README_VIEW_INFO = ("README 'Views (JavaScript)': _info reports no file sizes, no collator versions and "
                    "its own signature hash")

VIEWS_DDOC = {"language": "javascript", "views": {
    "by_n": {"map": "function(doc){ if (doc.n !== undefined) emit(doc.n, doc.n * 2); }"},
    "by_tag": {"map": "function(doc){ (doc.tags || []).forEach(function(t){ emit(t, doc._id); }); }"},
    "linked": {"map": "function(doc){ if (doc.n === 2) emit('link', {_id: 'n5'}); }"},
    "mixed": {"map": "function(doc){ if (doc.k !== undefined) emit(doc.k, null); }"},
    "parity": {"map": "function(doc){ if (doc.n !== undefined) emit([doc.n % 2, doc.n], doc.n); }", "reduce": "_sum"},
    "count": {"map": "function(doc){ if (doc.n !== undefined) emit(doc.n % 3, 1); }", "reduce": "_count"},
    "stats": {"map": "function(doc){ if (doc.n !== undefined) emit(doc.n % 2, doc.n); }", "reduce": "_stats"},
    "distinct": {"map": "function(doc){ if (doc.n !== undefined) emit(doc.n % 4, null); }",
                 "reduce": "_approx_count_distinct"},
    "js": {"map": "function(doc){ if (doc.n !== undefined) emit(doc.n % 2, doc.n); }",
           "reduce": "function(keys, values, rereduce){ return rereduce ? sum(values) : sum(values) + 0; }"},
    "sums": {"map": "function(doc){ if (doc.n !== undefined) emit(null, {a: doc.n, b: [doc.n, 1]}); }",
             "reduce": "_sum"},
    "helpers": {"map": "function(doc){ if (doc.n === 1) { log('seen'); emit(isArray([doc.n]), toJSON({n: doc.n})); "
                       "emit(require('views/lib/twice').twice(doc.n), sum([1, 2, 3])); } }"},
    "lib": {"twice": "exports.twice = function(x){ return 2 * x; };"},
}}


def views_setup(db):
    docs = [{"_id": f"n{i}", "n": i, "tags": ["odd" if i % 2 else "even", "all"]} for i in range(1, 8)]
    docs += [{"_id": "k-null", "k": None}, {"_id": "k-false", "k": False}, {"_id": "k-true", "k": True},
             {"_id": "k-num", "k": 10}, {"_id": "k-str", "k": "a"}, {"_id": "k-STR", "k": "B"},
             {"_id": "k-arr", "k": ["a", 1]}, {"_id": "k-obj", "k": {"a": 1}}]
    return [put(db), put(f"{db}/_design/v", json=VIEWS_DDOC), bulk(db, docs)]


@scenario
def views_map_queries(db):
    """Map views: collation order, key ranges, docids, direction, paging, include_docs."""
    v = f"{db}/_design/v/_view"
    return views_setup(db) + [
        get(f"{v}/by_n"), get(f"{v}/mixed"), get(f"{v}/by_tag"),
        get(f"{v}/by_n", query={"key": 3}), get(f"{v}/by_n", query={"keys": [5, 1, 9, 5]}),
        get(f"{v}/by_n", query={"startkey": 2, "endkey": 4}),
        get(f"{v}/by_n", query={"start_key": 2, "end_key": 4, "inclusive_end": "false"}),
        get(f"{v}/by_n", query={"startkey": 5, "endkey": 2, "descending": "true"}),
        get(f"{v}/by_n", query={"startkey": 5, "endkey": 2, "descending": "true", "inclusive_end": "false"}),
        get(f"{v}/by_n", query={"skip": "2", "limit": "3"}), get(f"{v}/by_n", query={"limit": "0"}),
        get(f"{v}/by_n", query={"startkey": 99}), get(f"{v}/by_n", query={"descending": "true", "skip": "1", "limit": "2"}),
        get(f"{v}/by_tag", query={"key": "all", "startkey_docid": "n3", "endkey_docid": "n5"}),
        get(f"{v}/by_tag", query={"startkey": "all", "startkey_docid": "n6", "descending": "true", "limit": "3"}),
        get(f"{v}/by_tag", query={"startkey": "even", "endkey": "even", "endkey_docid": "n4", "inclusive_end": "false"}),
        get(f"{v}/by_n", query={"key": 1, "include_docs": "true"}),
        get(f"{v}/linked", query={"include_docs": "true"}),
        get(f"{v}/helpers"), get(f"{v}/by_n", query={"key": 2, "update_seq": "true"}),
        get(f"{v}/mixed", query={"startkey": "a", "endkey": ["z"]}),
    ]


@scenario
def views_reduce_queries(db):
    """Reduce views: built-in and JavaScript reduces, group, group_level, keys, reduce=false."""
    v = f"{db}/_design/v/_view"
    return views_setup(db) + [
        get(f"{v}/parity"), get(f"{v}/parity", query={"group": "true"}),
        get(f"{v}/parity", query={"group_level": "1"}), get(f"{v}/parity", query={"group_level": "0"}),
        get(f"{v}/parity", query={"group_level": "1", "descending": "true"}),
        get(f"{v}/parity", query={"group": "true", "skip": "1", "limit": "2"}),
        get(f"{v}/parity", query={"group": "true", "keys": [[1, 3], [0, 2], [9, 9]]}),
        get(f"{v}/parity", query={"startkey": [1], "endkey": [1, 5]}),
        get(f"{v}/parity", query={"reduce": "false", "limit": "2"}),
        get(f"{v}/count", query={"group": "true"}), get(f"{v}/stats", query={"group": "true"}), get(f"{v}/stats"),
        get(f"{v}/distinct"), get(f"{v}/js"), get(f"{v}/js", query={"group": "true"}), get(f"{v}/sums"),
        get(f"{v}/parity", query={"startkey": [5]}),
    ]


@scenario
def views_post_and_multi_queries(db):
    """POST _view with keys and parameters in the body, and POST _view/queries."""
    v = f"{db}/_design/v/_view"
    return views_setup(db) + [
        post(f"{v}/by_n", json={"keys": [3, 1]}),
        post(f"{v}/by_n", json={"keys": [3, 1], "descending": True}, query={"limit": "1"}),
        post(f"{v}/parity", json={"keys": [[0, 2]], "group": True}),
        post(f"{v}/by_n/queries", json={"queries": [{"keys": [2]}, {"startkey": 6}, {"limit": 1, "skip": 1}]}),
    ]


@scenario
def views_query_errors(db):
    """Invalid view parameters: CouchDB's query_parse_error reasons; missing views and design documents."""
    v = f"{db}/_design/v/_view"
    return views_setup(db) + [
        get(f"{v}/by_n", query={"limit": "-1"}), get(f"{v}/by_n", query={"limit": "x"}),
        get(f"{v}/by_n", query={"skip": "-2"}), get(f"{v}/by_n", query={"descending": "maybe"}),
        get(f"{v}/by_n", query={"startkey": "notjson"}), get(f"{v}/by_n", query={"group": "true"}),
        get(f"{v}/by_n", query={"group_level": "2"}), get(f"{v}/by_n", query={"reduce": "true"}),
        get(f"{v}/parity", query={"include_docs": "true"}), get(f"{v}/parity", query={"keys": [1, 2]}),
        get(f"{v}/parity", query={"conflicts": "true"}),
        get(f"{v}/parity", query={"group": "false", "group_level": "1"}),
        get(f"{v}/by_n", query={"key": 1, "keys": [2, 3]}), get(f"{v}/by_n", query={"update": "maybe"}),
        get(f"{v}/by_n", query={"stale": "later"}), get(f"{v}/by_n", query={"stable": "maybe"}),
        get(f"{v}/nope"), get(f"{db}/_design/none/_view/by_n"),
    ]


@scenario
def views_design_validation(db):
    """Design documents whose views do not compile or are malformed are refused on write."""
    js = differs(README_JS_ERRORS, ["body.json.reason"])
    return [put(db),
            put(f"{db}/_design/a", json={"views": {"v": {"map": "function(doc){ emit(doc._id"}}}, differs=js),
            put(f"{db}/_design/a", json={"views": {"v": {"map": "42"}}}),
            put(f"{db}/_design/a", json={"views": {"v": {"map": "function(doc){}", "reduce": "function(k, v) {"}}},
                differs=js),
            put(f"{db}/_design/a", json={"views": {"v": {"map": "function(doc){}", "reduce": "_median"}}}),
            put(f"{db}/_design/a", json={"views": {"v": {"reduce": "_count"}}}),
            put(f"{db}/_design/a", json={"views": {"v": {"map": 1}}}),
            put(f"{db}/_design/a", json={"views": []}), put(f"{db}/_design/a", json={"views": {"v": "x"}}),
            put(f"{db}/_design/a", json={"language": "javascript", "views": {"v": {"map": "(doc) => emit(doc._id, 1)"}}}),
            get(f"{db}/_design/a/_view/v")]


@scenario
def views_incremental_and_stale(db):
    """Rows follow updates and deletions; update=false answers from the index as it is."""
    v = f"{db}/_design/v/_view"
    return [put(db), put(f"{db}/_design/v", json=VIEWS_DDOC),
            put(f"{db}/a", json={"n": 1}, save={"ra": "body.rev"}), put(f"{db}/b", json={"n": 2}, save={"rb": "body.rev"}),
            get(f"{v}/by_n"), put(f"{db}/a", query={"rev": "{{ra}}"}, json={"n": 10}),
            delete(f"{db}/b", query={"rev": "{{rb}}"}), put(f"{db}/c", json={"n": 3}),
            get(f"{v}/by_n"), get(f"{v}/parity"), get(f"{v}/by_n", query={"update": "false"}),
            get(f"{v}/by_n", query={"stale": "ok"})]


@scenario
def views_info_and_cleanup(db):
    """GET _design/x/_info and POST _view_cleanup."""
    info = differs(README_VIEW_INFO, ["body.json.view_index.sizes", "body.json.view_index.signature",
                                      "body.json.view_index.collator_versions", "body.json.view_index.waiting_commit"])
    return views_setup(db) + [
        get(f"{db}/_design/v/_view/by_n", query={"limit": "1"}),
        get(f"{db}/_design/v/_info", differs=info), get(f"{db}/_design/missing/_info"),
        post(f"{db}/_view_cleanup", json={}), get(f"{db}/_design/v/_view/by_n", query={"limit": "1"})]


# ===========================================================================
# JavaScript design functions: validate_doc_update, filters

VDU = """function(newDoc, oldDoc, userCtx, secObj) {
  if (newDoc.forbid) throw({forbidden: 'no ' + newDoc._id});
  if (newDoc.unauth) throw({unauthorized: 'who?'});
  if (newDoc._deleted && oldDoc && oldDoc.keep) throw({forbidden: 'keep ' + oldDoc.keep + ' deleted ' + newDoc._deleted});
  if (newDoc.owner && newDoc.owner !== userCtx.name)
    throw({forbidden: 'not yours, ' + userCtx.name + ' in ' + userCtx.db + ' roles ' + userCtx.roles.join()});
  if (newDoc.members && JSON.stringify(secObj.members) !== JSON.stringify(newDoc.members))
    throw({forbidden: 'members ' + JSON.stringify(secObj.members)});
}"""


@scenario
def vdu_refusals(db):
    """validate_doc_update: 403 forbidden, 401 unauthorized, per-document rows in _bulk_docs
    (replicated writes too), a refused deletion; design and local documents are not validated."""
    return [put(db), put(f"{db}/_design/v", json={"validate_doc_update": VDU}),
            put(f"{db}/a", json={"forbid": True}), put(f"{db}/a", json={"unauth": True}),
            post(db, json={"_id": "p", "forbid": True}),
            put(f"{db}/k", json={"keep": "yes"}, save={"krev": "body.rev"}),
            delete(f"{db}/k", query={"rev": "{{krev}}"}),
            put(f"{db}/k", json={"_rev": "{{krev}}", "_deleted": True}),
            bulk(db, [{"_id": "b1"}, {"_id": "b2", "forbid": True}, {"_id": "b3", "unauth": True}]),
            post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": [
                {"_id": "r1", "_rev": rev(1, "a")}, {"_id": "r2", "_rev": rev(1, "b"), "forbid": True}]}),
            put(f"{db}/_design/other", json={"forbid": True}),
            put(f"{db}/_local/l", json={"forbid": True}),
            get(f"{db}/_all_docs")]


@scenario
def vdu_user_ctx(db):
    """validate_doc_update sees the writer's userCtx (name, roles, db) and the security object."""
    members = {"names": ["dt_vdu_writer"], "roles": []}
    return [put(db), user("dt_vdu_writer", ["dt-writers"]),
            put(f"{db}/_security", json={"admins": {"names": [], "roles": []}, "members": members}),
            put(f"{db}/_design/v", json={"validate_doc_update": VDU}),
            put(f"{db}/mine", json={"owner": "dt_vdu_writer"}, auth=as_user("dt_vdu_writer")),
            put(f"{db}/theirs", json={"owner": "someone"}, auth=as_user("dt_vdu_writer")),
            put(f"{db}/admins", json={"owner": "someone"}),
            put(f"{db}/m1", json={"members": members}, auth=as_user("dt_vdu_writer")),
            put(f"{db}/m2", json={"members": {"names": []}}, auth=as_user("dt_vdu_writer"))]


FILTERS = {
    "by_query": "function(doc, req) { return doc.kind == req.query.kind; }",
    "by_user": "function(doc, req) { return doc.owner == req.userCtx.name && req.userCtx.db == req.info.db_name.replace(/^.*\\//, '').replace(/\\.[0-9]+$/, ''); }",
    "by_method": "function(doc, req) { return req.method == 'POST' ? doc.kind == 'b' : doc.kind == 'a'; }",
    "deleted": "function(doc, req) { return !!doc._deleted; }",
}


@scenario
def changes_filter_function(db):
    """filter=ddoc/name with req.query, req.userCtx, req.method; include_docs; a missing
    filter; filter=_view."""
    views = {"kind_a": {"map": "function(doc) { if (doc.kind == 'a') emit(doc._id, null); }"}}
    return [put(db), put(f"{db}/_design/f", json={"filters": FILTERS, "views": views}),
            bulk(db, [{"_id": "a1", "kind": "a", "owner": "admin"}, {"_id": "a2", "kind": "a"},
                      {"_id": "b1", "kind": "b"}, {"_id": "gone", "kind": "a"}]),
            get(f"{db}/gone", save={"grev": "body._rev"}),
            delete(f"{db}/gone", query={"rev": "{{grev}}"}),
            get(f"{db}/_changes", query={"filter": "f/by_query", "kind": "b"}),
            get(f"{db}/_changes", query={"filter": "f/by_query", "kind": "a", "include_docs": "true"}),
            get(f"{db}/_changes", query={"filter": "f/by_user"}),
            post(f"{db}/_changes", query={"filter": "f/by_method"}, json={}),
            get(f"{db}/_changes", query={"filter": "f/by_method"}),
            get(f"{db}/_changes", query={"filter": "f/deleted"}),
            get(f"{db}/_changes", query={"filter": "f/by_query", "kind": "a", "limit": "1"}),
            get(f"{db}/_changes", query={"filter": "f/nope"}),
            get(f"{db}/_changes", query={"filter": "_view", "view": "f/kind_a"}),
            get(f"{db}/_changes", query={"filter": "_view", "view": "f/none"}),
            get(f"{db}/_changes", query={"filter": "_view"})]


# ===========================================================================
# Partitioned databases (issue 19)

def partitioned(db):
    return put(db, query={"partitioned": "true"})


PARTITION_DOCS = [
    {"_id": "a:1", "n": 1, "type": "x"}, {"_id": "a:2", "n": 2, "type": "y"},
    {"_id": "a:b:3", "n": 3, "type": "x"}, {"_id": "b:1", "n": 4, "type": "x"},
    {"_id": "b:2", "n": 5, "type": "y"}, {"_id": "c:1", "n": 6, "type": "x"},
]


@scenario
def partitioned_create(db):
    """PUT ?partitioned=true shows props.partitioned; bad values and system databases are
    refused; an ordinary database has empty props."""
    return [partitioned(db), get(db),
            put(f"{db}-bad", query={"partitioned": "yes"}), put(f"{db}-no", query={"partitioned": "false"}),
            get(f"{db}-no"), delete(f"{db}-no"),
            put("/dt-x%2F_replicator", query={"partitioned": "true"}),
            put("/dt-x%2F_users", query={"partitioned": "true"}),
            put("/_replicator", query={"partitioned": "true"})]


@scenario
def partitioned_doc_ids(db):
    """Ids must be partition:id in a partitioned database, in PUT, POST and _bulk_docs;
    design and local documents are exempt."""
    return [partitioned(db),
            put(f"{db}/nocolon", json={}), put(f"{db}/:x", json={}), put(f"{db}/_p:x", json={}),
            put(f"{db}/p:_x", json={}), put(f"{db}/p:", json={}),
            post(db, json={"v": 1}), post(db, json={"_id": "nope", "v": 1}), post(db, json={"_id": "p:post", "v": 1}),
            put(f"{db}/p:a:b", json={"v": 2}), put(f"{db}/_design/d", json={"language": "javascript"}),
            put(f"{db}/_local/l", json={"v": 3}),
            bulk(db, [{"_id": "p:1"}, {"_id": "bad"}, {"_id": ":e"}, {"_id": "_q:1"}, {"_id": "q:2"}]),
            post(f"{db}/_bulk_docs", json={"new_edits": False, "docs": [
                {"_id": "r:1", "_rev": rev(1, "a")}, {"_id": "norev", "_rev": rev(1, "b")}]}),
            get(f"{db}/_all_docs")]


@scenario
def partitioned_info(db):
    """GET /db/_partition/{p}: counts follow writes and deletes; bad names, methods and
    paths; an ordinary database refuses."""
    return [partitioned(db), bulk(db, PARTITION_DOCS),
            get(f"{db}/_partition/a"), get(f"{db}/_partition/b"), get(f"{db}/_partition/zz"),
            get(f"{db}/a:1", save={"r": "body._rev"}), delete(f"{db}/a:1", query={"rev": "{{r}}"}),
            get(f"{db}/_partition/a"),
            get(f"{db}/_partition/_a"), post(f"{db}/_partition/_a", json={}), post(f"{db}/_partition/a", json={}),
            put(f"{db}/_partition/a", json={}), get(f"{db}/_partition/a:b"), get(f"{db}/_partition"),
            get(f"{db}/_partition/a/nothing"), get(f"{db}/_partition/a/a:2"), get(f"{db}/_partition/a/_design_docs"),
            put(f"{db}-plain"), get(f"{db}-plain/_partition/a"), get(f"{db}-plain/_partition/a/_all_docs"),
            delete(f"{db}-plain")]


@scenario
def partitioned_all_docs(db):
    """_partition/{p}/_all_docs: only the partition's ids, with ranges, descending,
    limit, skip, keys and include_docs; the partition query parameter."""
    p = f"{db}/_partition/a/_all_docs"
    return [partitioned(db), bulk(db, PARTITION_DOCS), put(f"{db}/_design/d", json={"language": "javascript"}),
            get(p), get(p, query={"descending": "true", "limit": "2"}), get(p, query={"skip": "1", "include_docs": "true"}),
            get(p, query={"startkey": '"a:2"'}), get(p, query={"startkey": '"0"', "endkey": '"z"'}),
            get(p, query={"endkey": '"a:2"', "inclusive_end": "false"}),
            get(p, query={"descending": "true", "startkey": '"a:2"'}),
            post(p, json={"keys": ["a:1", "b:1", "a:zz"]}), post(p, json={"keys": ["nocolon"]}),
            get(p, query={"partition": "b"}), get(p, query={"partition": "a"}),
            get(f"{db}/_all_docs", query={"partition": "b"}), get(f"{db}/_all_docs", query={"partition": "_b"}),
            get(f"{db}/_all_docs", query={"partition": ""}),
            post(f"{db}/_all_docs", json={"keys": ["b:1", "_design/d", "x"]}),
            put(f"{db}-plain"), get(f"{db}-plain/_all_docs", query={"partition": "a"}), delete(f"{db}-plain")]


@scenario
def partitioned_mango(db):
    """Mango in a partitioned database: indexes are partitioned unless asked otherwise;
    a partition's query uses partitioned indexes, a global query global ones; sort
    errors say which kind is missing; bookmarks page within a partition."""
    p = f"{db}/_partition/a"
    return [partitioned(db), bulk(db, PARTITION_DOCS),
            post(f"{db}/_index", json={"index": {"fields": ["n"]}, "ddoc": "pn", "name": "pn"}),
            post(f"{db}/_index", json={"index": {"fields": ["n"]}, "ddoc": "gn", "name": "gn", "partitioned": False}),
            post(f"{db}/_index", json={"index": {"fields": ["type"]}, "ddoc": "gn", "name": "gt"}),
            post(f"{db}/_index", json={"index": {"fields": ["type"]}, "ddoc": "pn", "name": "pt", "partitioned": True}),
            post(f"{db}/_index", json={"index": {"fields": ["type"]}, "ddoc": "gn", "name": "gt2", "partitioned": False}),
            get(f"{db}/_index"), get(f"{db}/_design/gn"), get(f"{db}/_design/pn"),
            find(p, {"selector": {"n": {"$gt": 0}}}),
            find(p, {"selector": {"n": {"$gt": 1}}, "sort": ["n"], "execution_stats": True}),
            find(p, {"selector": {"n": {"$gt": 1}}, "sort": [{"n": "desc"}]}),
            find(db, {"selector": {"n": {"$gt": 1}}, "sort": ["n"], "execution_stats": True}),
            find(db, {"selector": {"type": "x"}, "sort": ["type"]}),
            find(p, {"selector": {"type": "x"}, "sort": ["type"]}),
            find(p, {"selector": {"_id": {"$gt": "a:1"}}}),
            find(p, {"selector": {"n": {"$gt": 0}}, "use_index": "gn", "execution_stats": True}),
            find(p, {"selector": {"n": {"$gt": 0}}, "limit": 1}, save={"b1": "body.bookmark"}),
            find(p, {"selector": {"n": {"$gt": 0}}, "limit": 1, "bookmark": "{{b1}}"}, save={"b2": "body.bookmark"}),
            find(p, {"selector": {"n": {"$gt": 0}}, "limit": 1, "bookmark": "{{b2}}"}),
            find(db, {"selector": {"n": {"$gt": 0}}, "partition": "b"}),
            find(p, {"selector": {"n": {"$gt": 0}}, "partition": "a"}, differs=differs(MANGO_REF, ["body.json.ref"])),
            find(p, {"selector": {"n": {"$gt": 0}}, "partition": "b"}, differs=differs(MANGO_REF, ["body.json.ref"])),
            find(db, {"selector": {"n": {"$gt": 0}}, "partition": "_b"}),
            find(db, {"selector": {"n": {"$gt": 0}}, "partition": 5}),
            find(db, {"selector": {"n": {"$gt": 0}}, "partition": ""}),
            find(f"{db}/_partition/_a", {"selector": {}}),
            explain(p, {"selector": {"n": {"$gt": 1}}, "sort": ["n"]}),
            explain(db, {"selector": {"n": {"$gt": 1}}}),
            explain(p, {"selector": {"_id": {"$gt": "a:1"}}}),
            put(f"{db}-plain"), find(f"{db}-plain", {"selector": {}, "partition": "a"}),
            find(f"{db}-plain", {"selector": {}, "partition": ""}),
            explain(f"{db}-plain", {"selector": {"n": {"$gt": 0}}, "partition": "a"}),
            post(f"{db}-plain/_index", json={"index": {"fields": ["n"]}, "partitioned": True},
                 differs=differs(MANGO_REF, ["body.json.ref"])),
            delete(f"{db}-plain")]


@scenario
def partitioned_design_options(db):
    """options.partitioned in design documents: a boolean, and false only in an ordinary
    database."""
    view = {"v": {"map": "function(doc) { emit(doc.n, 1); }"}}
    return [partitioned(db), put(f"{db}-plain"),
            put(f"{db}-plain/_design/p", json={"options": {"partitioned": True}, "views": view}),
            put(f"{db}-plain/_design/q", json={"options": {"partitioned": False}, "views": view}),
            put(f"{db}/_design/s", json={"options": {"partitioned": "yes"}}),
            put(f"{db}/_design/t", json={"options": {"partitioned": False}, "views": view}),
            delete(f"{db}-plain")]


@scenario
def partitioned_size_limit(db):
    """max_partition_size: once a partition's bodies reach it, a write that grows a
    document there is refused (403 partition_overflow); deletes and other partitions pass."""
    cfg = "/_node/_local/_config/couchdb/max_partition_size"
    return [partitioned(db), put(cfg, json="100"),
            put(f"{db}/a:1", json={"text": "x" * 120}, save={"r1": "body.rev"}),
            put(f"{db}/a:2", json={"text": "small"}),
            post(f"{db}/_bulk_docs", json={"docs": [{"_id": "a:3", "v": 1}, {"_id": "b:1", "v": 1}]}),
            put(f"{db}/a:1", query={"rev": "{{r1}}"}, json={"text": "y"}, save={"r2": "body.rev"}),
            put(f"{db}/b:2", json={"text": "z" * 50}),
            delete(f"{db}/a:1", query={"rev": "{{r2}}"}),
            get(f"{db}/_partition/a"),
            delete(cfg), put(f"{db}/a:4", json={"v": 4})]


@scenario
def mango_empty_selector(db):
    """{} matches every document (and stays {} in _explain); an explicit {"$and": []} or
    {"$or": []} matches none."""
    return [put(db), find(db, {"selector": {}}), bulk(db, [{"_id": "a", "n": 1}, {"_id": "b", "n": 2}]),
            find(db, {"selector": {}}), find(db, {"selector": {}, "limit": 1, "fields": ["_id"]}),
            find(db, {"selector": {"$and": []}}), find(db, {"selector": {"$or": []}}),
            explain(db, {"selector": {}}), explain(db, {"selector": {"$and": []}})]


@scenario
def partitioned_views(db):
    """Views in a partitioned database: partitioned by default and queried one partition
    at a time (through _partition/{p}/ or ?partition=); options.partitioned false makes a
    global view; offsets and total_rows count the whole view; reduces per partition."""
    views = {"n": {"map": "function(doc) { emit(doc.n, doc.type); }"},
             "sum": {"map": "function(doc) { emit(doc.type, doc.n); }", "reduce": "_sum"},
             "count": {"map": "function(doc) { emit([doc.type, doc.n], 1); }", "reduce": "_count"}}
    pv = f"{db}/_partition/a/_design/p/_view"
    return [partitioned(db), bulk(db, PARTITION_DOCS),
            put(f"{db}/_design/p", json={"views": views}),
            put(f"{db}/_design/g", json={"options": {"partitioned": False}, "views": views}),
            get(f"{db}/_design/p/_view/n"), get(f"{pv}/n"), get(f"{db}/_design/p/_view/n", query={"partition": "b"}),
            get(f"{pv}/n", query={"startkey": "2", "include_docs": "true"}),
            get(f"{pv}/n", query={"descending": "true", "limit": "1"}),
            get(f"{pv}/n", query={"endkey": "2", "inclusive_end": "false"}),
            get(f"{pv}/n", query={"key": "4"}), get(f"{pv}/n", query={"keys": "[3,1,4]"}),
            get(f"{pv}/sum"), get(f"{pv}/sum", query={"group": "true"}),
            get(f"{pv}/count", query={"group_level": "1"}), get(f"{pv}/count", query={"reduce": "false", "skip": "1"}),
            post(f"{pv}/n/queries", json={"queries": [{"limit": 1}, {"startkey": 2}]}),
            get(f"{pv}/n", query={"partition": "b"}), get(f"{db}/_design/p/_view/n", query={"partition": "_b"}),
            get(f"{db}/_design/g/_view/n"), get(f"{db}/_partition/a/_design/g/_view/n"),
            get(f"{db}/_design/g/_view/sum", query={"group": "true"}),
            get(f"{db}/_partition/a/_design/p/_info", differs=differs(README_VIEW_INFO, [
                "body.json.view_index.sizes", "body.json.view_index.signature", "body.json.view_index.collator_versions",
                "body.json.view_index.waiting_commit"])),
            get(f"{db}/_partition/a/_design/nope/_view/n"), get(f"{db}/_partition/a/_design/p/_view/nope"),
            put(f"{db}/a:9", json={"n": 0, "type": "z"}), get(f"{pv}/n"),
            put(f"{db}-plain"), put(f"{db}-plain/_design/p", json={"views": views}), bulk(f"{db}-plain", [{"_id": "x", "n": 1}]),
            get(f"{db}-plain/_design/p/_view/n", query={"partition": "a"}),
            get(f"{db}-plain/_partition/a/_design/p/_view/n"), delete(f"{db}-plain")]
