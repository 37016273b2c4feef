"""Fixtures of the replication interop suite: a real Apache CouchDB 3.4.3 (at
COUCHDB_URL) and two Divan servers, and the five configurations every scenario runs in.

Not under Tests/clients, so `make test` does not collect it; `make interop` runs it.
Deliberately not a conftest.py: Tests/clients' modules do `from conftest import …`,
which a second conftest module in the same pytest session would shadow. Test modules
import `pair` (and `servers`) from here and set `pytestmark = requires_couchdb`.

    COUCHDB_URL   the reference CouchDB, admin credentials in the userinfo
                  (default http://admin:password@127.0.0.1:5984)
    COUCHDB_LOG   its log file, quoted in failure messages (optional)
    DIVAN_BINARY  the divan executable (default .build/debug/divan, then release)
    INTEROP_BASELINE=1  adds CouchDB -> CouchDB, to check the suite against the reference
    INTEROP_KEEP_DBS=1  keeps the databases of each test
"""
import importlib.util
import os
import sys
from urllib.parse import urlsplit

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from interop_support import Pair, Peer  # noqa: E402


def _load_client_conftest():
    """Tests/clients/conftest.py's `Server` (starts `divan serve` on a free loopback
    port, stops it by PID), loaded under its own module name: importing it as
    `conftest` would shadow the suite's own fixtures or Tests/clients' imports."""
    path = os.path.join(HERE, "..", "clients", "conftest.py")
    spec = importlib.util.spec_from_file_location("divan_client_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


clients = _load_client_conftest()

COUCHDB_URL = os.environ.get("COUCHDB_URL", "http://admin:password@127.0.0.1:5984")
COUCHDB_LOG = os.environ.get("COUCHDB_LOG")

_COUCH = urlsplit(COUCHDB_URL)
HOW_TO_START = (
    f"no Apache CouchDB answers at {_COUCH.hostname}:{_COUCH.port or 80} (COUCHDB_URL)"
    " — build one with `../shared/peers/build-couchdb.sh MIRRORS DEST`, start it with "
    "`COUCHDB_PORT=5984 DEST/start.sh` (admin/password), or point COUCHDB_URL at one "
    "(http://USER:PASSWORD@HOST:PORT; COUCHDB_LOG=DEST/couchdb.log adds its log to failures)")

# (id, source, target, replicator): which server holds the source database, which the
# target, and which one runs the replication. divan-b is a second Divan server.
CONFIGURATIONS = [
    ("couch-to-divan.by-couch", "couch", "divan", "couch"),
    ("couch-to-divan.by-divan", "couch", "divan", "divan"),
    ("divan-to-couch.by-couch", "divan", "couch", "couch"),
    ("divan-to-couch.by-divan", "divan", "couch", "divan"),
    ("divan-to-divan.by-divan", "divan", "divan-b", "divan-b"),
]
# INTEROP_BASELINE=1 adds CouchDB to CouchDB: the suite checked against the reference.
if os.environ.get("INTEROP_BASELINE"):
    CONFIGURATIONS.insert(0, ("couch-to-couch.by-couch", "couch", "couch", "couch"))


def _couch_answer():
    parts = urlsplit(COUCHDB_URL)
    try:
        response = requests.get(f"{parts.scheme}://{parts.hostname}:{parts.port or 80}/",
                                auth=(parts.username or "admin", parts.password or "password"), timeout=5)
        body = response.json()
    except (requests.RequestException, ValueError):
        return None
    return body if body.get("couchdb") == "Welcome" else None


requires_couchdb = pytest.mark.skipif(_couch_answer() is None, reason=HOW_TO_START)


class DivanHolder:
    """A Divan server for the whole session, started again if a test killed it."""

    def __init__(self, name):
        self.name = name
        self.server = None

    def peer(self):
        if self.server is not None and self.server.process.poll() is not None:
            self.server.stop()  # the test that saw it exit reported its output
            self.server = None
        if self.server is None:
            self.server = clients.Server()
        return Peer(self.name, self.server.url, clients.ADMIN, log_path=self.server.log.name)

    def stop(self):
        if self.server is not None:
            self.server.stop()
            self.server = None


# One set for the whole run, although each test module that imports the `servers`
# fixture gets its own fixture definition: the Divan servers start once.
_HOLDERS = {"divan": DivanHolder("divan"), "divan-b": DivanHolder("divan-b")}


@pytest.fixture(scope="session")
def servers():
    parts = urlsplit(COUCHDB_URL)
    couch = Peer("couch", COUCHDB_URL, (parts.username or "admin", parts.password or "password"),
                 log_path=COUCHDB_LOG)
    yield couch, _HOLDERS
    for holder in _HOLDERS.values():
        holder.stop()


@pytest.fixture(params=CONFIGURATIONS, ids=[c[0] for c in CONFIGURATIONS])
def pair(request, servers):
    couch, holders = servers
    config_id, source, target, replicator = request.param
    needed = {name for name in (source, target, replicator)}
    peers = {"couch": couch}
    for name in needed - {"couch"}:
        peers[name] = holders[name].peer()
    involved = [peers[name] for name in ("couch", "divan", "divan-b") if name in needed]
    instance = Pair(config_id, peers[source], peers[target], peers[replicator], involved)
    yield instance
    for name in needed - {"couch"}:
        server = holders[name].server
        if server is not None and server.process.poll() is not None:
            pytest.fail(f"{name} exited during the test (status {server.process.returncode}):\n"
                        + server.output()[-4000:])
    instance.cleanup()
