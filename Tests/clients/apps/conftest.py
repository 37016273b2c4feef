"""The app port for client suites: `divan serve` with the app listener on a free port,
and a `requests` session that speaks Budibase's public API to it.

A package (it has __init__.py) so that this conftest imports as `apps.conftest` and
never shadows Tests/clients/conftest.py."""
import time

import pytest
import requests

from conftest import ADMIN, Server, free_port


class AppServer(Server):
    """`divan serve` with the app listener (and the CouchDB one, which shares its data)."""

    def __init__(self, extra_args=()):
        self.app_port = free_port()
        self.app_url = f"http://127.0.0.1:{self.app_port}"
        # A later --app-port overrides the 0 the base class passes.
        super().__init__(extra_args=("--app-port", str(self.app_port), *extra_args))
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                requests.get(self.app_url + "/api/public/v1/metrics", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the app listener did not start:\n" + self.output())


class PublicAPI(requests.Session):
    """A session whose relative paths are under /api/public/v1 and which names an app."""

    def __init__(self, base):
        super().__init__()
        self.base = base + "/api/public/v1"
        self.auth = ADMIN

    def request(self, method, url, *args, **kwargs):
        if url.startswith("/"):
            url = self.base + url
        return super().request(method, url, *args, **kwargs)

    def using(self, app_id):
        self.headers["x-budibase-app-id"] = app_id
        return self


@pytest.fixture(scope="module")
def app_server():
    instance = AppServer()
    yield instance
    instance.stop()


@pytest.fixture
def api(app_server):
    return PublicAPI(app_server.app_url)
