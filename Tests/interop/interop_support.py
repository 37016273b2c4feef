"""Helpers of the replication interop suite: servers as peers, replications that must
finish, and the one convergence check every scenario ends with.

A `Peer` is one server (Apache CouchDB or Divan) reached over HTTP as an admin. A
`Pair` is one configuration of a scenario: a source database on one peer, a target
database on another, and the peer that runs the replication (POST /_replicate,
_replicator documents). Every failure message carries what the replicator answered,
its /_scheduler/jobs, and the lines each server logged since the test began.
"""
import base64
import hashlib
import json
import os
import time
import uuid
from urllib.parse import quote, urlsplit, urlunsplit

import requests

# Long enough for a 20 MB attachment on a slow debug build; only there to stop hangs.
REPLICATION_TIMEOUT = float(os.environ.get("INTEROP_REPLICATION_TIMEOUT", "150"))
LOG_LINES = 60


# ---------------------------------------------------------------------------- paths

def doc_path(doc_id):
    """The URL path segment(s) of a document id: `_design/` and `_local/` keep their
    slash, everything else is percent-encoded whole (`a/b` -> `a%2Fb`)."""
    for prefix in ("_design/", "_local/"):
        if doc_id.startswith(prefix):
            return prefix + quote(doc_id[len(prefix):], safe="")
    return quote(doc_id, safe="")


def att_path(name):
    return quote(name, safe="")


# ---------------------------------------------------------------------------- peers

class Peer:
    """One server, as an admin. `log_path` is where it writes its log (may be None)."""

    def __init__(self, name, url, auth, log_path=None):
        self.name = name
        parts = urlsplit(url)
        self.url = urlunsplit((parts.scheme, parts.hostname + (f":{parts.port}" if parts.port else ""),
                               parts.path.rstrip("/"), "", ""))
        self.auth = auth
        self.log_path = log_path
        self.http = requests.Session()
        self.http.auth = auth

    def __repr__(self):
        return f"{self.name} ({self.url})"

    # -- requests ------------------------------------------------------------------
    def request(self, method, path, **kwargs):
        kwargs.setdefault("timeout", 120)
        return self.http.request(method, self.url + path, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def json(self, method, path, expect=(200, 201, 202), **kwargs):
        response = self.request(method, path, **kwargs)
        if response.status_code not in expect:
            raise AssertionError(f"{self.name}: {method} {path} -> {response.status_code} {response.text[:2000]}")
        return response.json()

    # -- endpoints for replication bodies -----------------------------------------
    def db_url(self, db, credentials=True):
        parts = urlsplit(self.url)
        netloc = parts.netloc
        if credentials:
            netloc = f"{quote(self.auth[0], safe='')}:{quote(self.auth[1], safe='')}@{netloc}"
        return urlunsplit((parts.scheme, netloc, parts.path + "/" + quote(db, safe=""), "", ""))

    def endpoint(self, db, style="userinfo"):
        """`http://user:pw@host/db`, or `{"url": …, "auth": {"basic": …}}`."""
        if style == "userinfo":
            return self.db_url(db)
        return {"url": self.db_url(db, credentials=False),
                "auth": {"basic": {"username": self.auth[0], "password": self.auth[1]}}}

    # -- logs ----------------------------------------------------------------------
    def log_mark(self):
        try:
            return os.path.getsize(self.log_path) if self.log_path else 0
        except OSError:
            return 0

    def log_since(self, mark, lines=LOG_LINES):
        if not self.log_path:
            return f"(no log file known for {self.name}; set COUCHDB_LOG)"
        try:
            with open(self.log_path, "rb") as log:
                log.seek(mark)
                text = log.read().decode("utf-8", "replace")
        except OSError as error:
            return f"(cannot read {self.log_path}: {error})"
        tail = text.splitlines()[-lines:]
        return "\n".join(line[:1500] for line in tail) or "(nothing logged)"

    # -- databases -----------------------------------------------------------------
    def create_db(self, db):
        self.json("PUT", "/" + quote(db, safe=""), expect=(201, 202))

    def delete_db(self, db):
        try:
            self.request("DELETE", "/" + quote(db, safe=""), timeout=30)
        except requests.RequestException:
            pass

    def db_info(self, db):
        return self.json("GET", "/" + quote(db, safe=""))

    # -- writes --------------------------------------------------------------------
    def put(self, db, doc_id, body, **params):
        result = self.json("PUT", f"/{quote(db, safe='')}/{doc_path(doc_id)}", json=body, params=params)
        return result["rev"]

    def get_doc(self, db, doc_id, **params):
        return self.json("GET", f"/{quote(db, safe='')}/{doc_path(doc_id)}", params=params)

    def update(self, db, doc_id, **fields):
        """Reads the winner, sets fields, writes it back; returns the new rev."""
        doc = self.get_doc(db, doc_id)
        doc.update(fields)
        return self.put(db, doc_id, doc)

    def delete(self, db, doc_id, rev):
        return self.json("DELETE", f"/{quote(db, safe='')}/{doc_path(doc_id)}", params={"rev": rev})["rev"]

    def bulk(self, db, docs, new_edits=True):
        body = {"docs": docs}
        if not new_edits:
            body["new_edits"] = False
        result = self.json("POST", f"/{quote(db, safe='')}/_bulk_docs", json=body)
        errors = [row for row in result if "error" in row]
        assert not errors, f"{self.name}: _bulk_docs errors {errors}"
        return result

    def put_attachment(self, db, doc_id, rev, name, data, content_type):
        result = self.json("PUT", f"/{quote(db, safe='')}/{doc_path(doc_id)}/{att_path(name)}",
                           params={"rev": rev}, data=data, headers={"Content-Type": content_type})
        return result["rev"]

    def delete_attachment(self, db, doc_id, rev, name):
        return self.json("DELETE", f"/{quote(db, safe='')}/{doc_path(doc_id)}/{att_path(name)}",
                         params={"rev": rev})["rev"]

    def set_revs_limit(self, db, limit):
        self.json("PUT", f"/{quote(db, safe='')}/_revs_limit", data=str(limit),
                  headers={"Content-Type": "application/json"})

    def all_ids(self, db):
        rows = self.json("GET", f"/{quote(db, safe='')}/_all_docs")["rows"]
        return {row["id"] for row in rows}

    def scheduler_jobs(self):
        try:
            response = self.get("/_scheduler/jobs", timeout=15)
            return f"{response.status_code} {response.text[:4000]}"
        except requests.RequestException as error:
            return f"(unreachable: {error})"


# ---------------------------------------------------------------------------- pairs

class Pair:
    """One configuration of a scenario, with a fresh source and target database."""

    def __init__(self, config_id, source, target, replicator, peers):
        self.config_id = config_id
        self.source = source
        self.target = target
        self.replicator = replicator
        self.peers = peers  # every distinct server involved, for logs
        tag = uuid.uuid4().hex[:10]
        self.source_db = f"iop_{tag}_src"
        self.target_db = f"iop_{tag}_tgt"
        self.marks = {peer.name: peer.log_mark() for peer in peers}
        self.source.create_db(self.source_db)
        self.target.create_db(self.target_db)

    def cleanup(self):
        if os.environ.get("INTEROP_KEEP_DBS"):
            return
        self.source.delete_db(self.source_db)
        self.target.delete_db(self.target_db)

    def describe(self):
        return (f"[{self.config_id}] source {self.source.name}/{self.source_db} -> "
                f"target {self.target.name}/{self.target_db}, replicator {self.replicator.name}")

    def diagnostics(self, response=None):
        parts = [self.describe()]
        if response is not None:
            parts.append(f"replicator answered: {response}")
        parts.append(f"{self.replicator.name} /_scheduler/jobs: {self.replicator.scheduler_jobs()}")
        for peer in self.peers:
            parts.append(f"--- {peer.name} log since the test began (last {LOG_LINES} lines):\n"
                         + peer.log_since(self.marks.get(peer.name, 0)))
        return "\n".join(parts)

    # -- replication ---------------------------------------------------------------
    def body(self, reverse=False, style="userinfo", **options):
        source, source_db, target, target_db = self.source, self.source_db, self.target, self.target_db
        if reverse:
            source, source_db, target, target_db = target, target_db, source, source_db
        body = {"source": source.endpoint(source_db, style), "target": target.endpoint(target_db, style)}
        body.update(options)
        return body

    def replicate(self, reverse=False, timeout=REPLICATION_TIMEOUT, style="userinfo", **options):
        """A one-shot POST /_replicate on the replicator; returns its answer once it is
        done, or fails with the diagnostics. `reverse` swaps source and target."""
        body = self.body(reverse=reverse, style=style, **options)
        started = time.time()
        try:
            response = self.replicator.request("POST", "/_replicate", json=body, timeout=timeout)
        except requests.Timeout:
            self._cancel(body)
            raise AssertionError(f"POST /_replicate on {self.replicator.name} did not answer within {timeout:.0f} s\n"
                                 + self.diagnostics())
        except requests.ConnectionError as error:
            raise AssertionError(f"POST /_replicate on {self.replicator.name} failed: {error}\n" + self.diagnostics())
        text = f"{response.status_code} {response.text[:3000]}"
        try:
            result = response.json()
        except ValueError:
            result = None
        if response.status_code != 200 or not isinstance(result, dict) or result.get("ok") is not True:
            raise AssertionError(f"replication{' (reverse)' if reverse else ''} failed after "
                                 f"{time.time() - started:.1f} s\n" + self.diagnostics(text))
        result["_answer"] = text
        return result

    def _cancel(self, body):
        try:
            self.replicator.request("POST", "/_replicate", json=dict(body, cancel=True), timeout=30)
        except requests.RequestException:
            pass

    def check(self, result=None, ids=None, reverse_result=None):
        """Convergence of the pair's two databases, then no write failures."""
        results = [r for r in (result, reverse_result) if r is not None]
        problems = divergences(self.source, self.source_db, self.target, self.target_db, ids=ids)
        if problems:
            answers = "\n".join(r.get("_answer", json.dumps(r)) for r in results)
            raise AssertionError(f"{len(problems)} divergence(s):\n  " + "\n  ".join(problems[:60])
                                 + ("\n  …" if len(problems) > 60 else "") + "\n"
                                 + self.diagnostics(answers or None))
        for r in results:
            failures = write_failures(r)
            assert not failures, (f"replicas converged but the replication reported doc_write_failures={failures}\n"
                                  + self.diagnostics(r.get("_answer")))

    def sync(self, reverse=False, **options):
        result = self.replicate(reverse=reverse, **options)
        self.check(result)
        return result


def write_failures(result):
    history = result.get("history") or []
    if history and isinstance(history[0], dict):
        return history[0].get("doc_write_failures", 0)
    return result.get("doc_write_failures", 0)


# ---------------------------------------------------------------------------- convergence

STUB_FIELDS = ("content_type", "digest", "length", "revpos")


def changes_ids(peer, db):
    changes = peer.json("GET", f"/{quote(db, safe='')}/_changes", params={"style": "all_docs"})
    return {row["id"] for row in changes["results"]}


def leaves(peer, db, doc_id):
    """{rev: doc} of every leaf (deleted ones included), with `_revisions`."""
    response = peer.get(f"/{quote(db, safe='')}/{doc_path(doc_id)}",
                        params={"open_revs": "all", "revs": "true"},
                        headers={"Accept": "application/json"})
    if response.status_code == 404:
        return {}
    if response.status_code != 200:
        raise AssertionError(f"{peer.name}: open_revs=all of {doc_id!r} -> {response.status_code} {response.text[:500]}")
    found = {}
    for row in response.json():
        if "ok" in row:
            found[row["ok"]["_rev"]] = row["ok"]
    return found


def winner(peer, db, doc_id):
    """(rev, deleted) of the winning revision as the server reports it."""
    response = peer.get(f"/{quote(db, safe='')}/{doc_path(doc_id)}")
    if response.status_code == 200:
        return response.json()["_rev"], False
    rows = peer.json("POST", f"/{quote(db, safe='')}/_all_docs", json={"keys": [doc_id]})["rows"]
    value = rows[0].get("value") if rows else None
    if not value:
        return None, None
    return value.get("rev"), bool(value.get("deleted"))


def attachment_bytes(peer, db, doc_id, name, rev):
    response = peer.get(f"/{quote(db, safe='')}/{doc_path(doc_id)}/{att_path(name)}", params={"rev": rev}, timeout=300)
    if response.status_code != 200:
        return None, f"{response.status_code} {response.text[:300]}"
    return response.content, response.headers.get("Content-Encoding")


def describe_bytes(data):
    return f"{len(data)} bytes sha256 {hashlib.sha256(data).hexdigest()[:16]} head {data[:12]!r}"


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def md5_digest(data):
    return "md5-" + base64.b64encode(hashlib.md5(data).digest()).decode()


def strip_atts(doc):
    return {k: v for k, v in doc.items() if k != "_attachments"}


def divergences(a, adb, b, bdb, ids=None):
    """Every way the two databases differ, as sentences; empty when they converged.

    For each document id (the union of both `_changes?style=all_docs`, or `ids`): the
    leaf revisions (deleted ones included), each leaf's body and `_revisions`, the
    winner, and every attachment's stub fields and bytes (fetched with ?rev=). Then,
    unless `ids` restricts the check, doc_count and doc_del_count.
    """
    problems = []
    if ids is None:
        a_ids, b_ids = changes_ids(a, adb), changes_ids(b, bdb)
        for doc_id in sorted(a_ids - b_ids):
            problems.append(f"doc {doc_id!r}: only on {a.name} (not in {b.name}'s _changes)")
        for doc_id in sorted(b_ids - a_ids):
            problems.append(f"doc {doc_id!r}: only on {b.name} (not in {a.name}'s _changes)")
        check_ids = sorted(a_ids & b_ids)
    else:
        check_ids = sorted(ids)
    for doc_id in check_ids:
        problems.extend(document_divergences(a, adb, b, bdb, doc_id))
    if ids is None:
        ai, bi = a.db_info(adb), b.db_info(bdb)
        for key in ("doc_count", "doc_del_count"):
            if ai.get(key) != bi.get(key):
                problems.append(f"{key}: {a.name} {ai.get(key)} vs {b.name} {bi.get(key)}")
    return problems


def document_divergences(a, adb, b, bdb, doc_id):
    problems = []
    la, lb = leaves(a, adb, doc_id), leaves(b, bdb, doc_id)
    if not la or not lb:
        missing = a.name if not la else b.name
        if la or lb:
            return [f"doc {doc_id!r}: missing on {missing} (open_revs=all found no leaf)"]
        return [f"doc {doc_id!r}: missing on both sides"]
    if set(la) != set(lb):
        problems.append(f"doc {doc_id!r}: leaf revisions differ: only on {a.name} {sorted(set(la) - set(lb))}, "
                        f"only on {b.name} {sorted(set(lb) - set(la))}")
    wa, wb = winner(a, adb, doc_id), winner(b, bdb, doc_id)
    if wa != wb:
        problems.append(f"doc {doc_id!r}: winner differs: {a.name} {wa} vs {b.name} {wb}")
    for rev in sorted(set(la) & set(lb)):
        da, db_ = la[rev], lb[rev]
        ba, bb = strip_atts(da), strip_atts(db_)
        if ba != bb:
            keys = sorted(set(ba) | set(bb))
            diff = {k: (ba.get(k, "<absent>"), bb.get(k, "<absent>")) for k in keys if ba.get(k) != bb.get(k)}
            problems.append(f"doc {doc_id!r} rev {rev}: body differs ({a.name}, {b.name}): "
                            f"{json.dumps(diff, ensure_ascii=False)[:1500]}")
        problems.extend(attachment_divergences(a, adb, b, bdb, doc_id, rev,
                                               da.get("_attachments") or {}, db_.get("_attachments") or {}))
    return problems


def attachment_divergences(a, adb, b, bdb, doc_id, rev, atts_a, atts_b):
    problems = []
    where = f"doc {doc_id!r} rev {rev}"
    if set(atts_a) != set(atts_b):
        problems.append(f"{where}: attachment names differ: only on {a.name} {sorted(set(atts_a) - set(atts_b))}, "
                        f"only on {b.name} {sorted(set(atts_b) - set(atts_a))}")
    for name in sorted(set(atts_a) & set(atts_b)):
        sa, sb = atts_a[name], atts_b[name]
        for field in STUB_FIELDS:
            if sa.get(field) != sb.get(field):
                problems.append(f"{where} attachment {name!r}: {field} {a.name} {sa.get(field)!r} "
                                f"vs {b.name} {sb.get(field)!r} (stubs {a.name} {sa}, {b.name} {sb})")
        bytes_a, enc_a = attachment_bytes(a, adb, doc_id, name, rev)
        bytes_b, enc_b = attachment_bytes(b, bdb, doc_id, name, rev)
        if bytes_a is None or bytes_b is None:
            if bytes_a is None:
                problems.append(f"{where} attachment {name!r}: GET on {a.name} failed: {enc_a}")
            if bytes_b is None:
                problems.append(f"{where} attachment {name!r}: GET on {b.name} failed: {enc_b}")
            continue
        if bytes_a != bytes_b:
            problems.append(f"{where} attachment {name!r}: bytes differ at offset {first_difference(bytes_a, bytes_b)}: "
                            f"{a.name} {describe_bytes(bytes_a)} (Content-Encoding {enc_a}), "
                            f"{b.name} {describe_bytes(bytes_b)} (Content-Encoding {enc_b})")
        for peer, stub, data in ((a, sa, bytes_a), (b, sb, bytes_b)):
            if stub.get("length") is not None and stub.get("length") != len(data):
                problems.append(f"{where} attachment {name!r}: on {peer.name} the stub says length "
                                f"{stub.get('length')} but GET returned {len(data)} bytes")
    return problems


# ---------------------------------------------------------------------------- data

def lorem(size, seed=0):
    """Compressible text of `size` bytes (CouchDB gzips text/* on write)."""
    words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
             "incididunt ut labore et dolore magna aliqua café naïve 日本 ").split()
    out, i = [], seed
    total = 0
    while total < size:
        word = words[i % len(words)]
        out.append(word)
        total += len(word.encode()) + 1
        i = i * 7 + 3 if i < 10**6 else i % 97
    return (" ".join(out).encode()[:size]).decode("utf-8", "ignore").encode()


def random_bytes(size, seed):
    import random
    return random.Random(seed).randbytes(size)


def b64(data):
    return base64.b64encode(data).decode()


def rev_hash():
    return uuid.uuid4().hex


def wait_for(predicate, timeout, interval=0.5):
    """Polls until predicate() is truthy; returns its last value (falsy on timeout)."""
    deadline = time.time() + timeout
    value = predicate()
    while not value and time.time() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
