"""The worker on the app port, with `requests`: the first admin, logins and sessions,
CSRF, API keys, users (worker API and public API), role assignment and what each role
may do, and the answers to bad credentials and bad input."""
import concurrent.futures
import time
import uuid

import pytest
import requests

from conftest import ADMIN
from .conftest import AppServer

PASSWORD = "first-admin-password"


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def email(prefix="user"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"


def login(base, username, password=PASSWORD):
    response = requests.post(f"{base}/api/global/auth/default/login", json={"username": username, "password": password})
    return response


class Client(requests.Session):
    """A session whose relative paths are under the app port."""

    def __init__(self, base, **headers):
        super().__init__()
        self.base = base
        self.headers.update(headers)

    def request(self, method, url, *args, **kwargs):
        if url.startswith("/"):
            url = self.base + url
        return super().request(method, url, *args, **kwargs)


@pytest.fixture(scope="module")
def worker(app_server):
    """The first admin, created once per server, with a token and an API key."""
    base = app_server.app_url
    admin_email = email("admin")
    created = ok(requests.post(f"{base}/api/global/users/init", json={"email": admin_email, "password": PASSWORD}))
    assert created["_id"].startswith("us_") and created["email"] == admin_email
    token = login(base, admin_email).headers["x-budibase-token"]
    key = ok(requests.post(f"{base}/api/global/self/api_key", headers={"x-budibase-token": token}))["apiKey"]
    return {"base": base, "email": admin_email, "id": created["_id"], "token": token, "key": key, "server": app_server}


@pytest.fixture
def keyed(worker):
    """The admin acting through their API key."""
    return Client(worker["base"], **{"x-budibase-api-key": worker["key"]})


def new_user(keyed, **fields):
    body = {"email": email(), "password": PASSWORD, **fields}
    created = ok(keyed.post("/api/global/users", json=body))
    return {**body, "_id": created["_id"]}


# First admin and login

def test_init_creates_the_first_admin_only_once(worker):
    again = requests.post(f"{worker['base']}/api/global/users/init", json={"email": email(), "password": "x"})
    assert again.status_code == 403 and again.json()["status"] == 403


def test_login_sets_the_auth_cookie_and_token_header(worker):
    response = login(worker["base"], worker["email"].upper())
    body = ok(response)
    assert body["userId"] == worker["id"] and body["csrfToken"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("budibase:auth=" + response.headers["x-budibase-token"] + ";")
    for attribute in ("HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert response.cookies["budibase:auth"] == response.headers["x-budibase-token"]


def test_bad_logins_are_401_alike(worker):
    known = login(worker["base"], worker["email"], "wrong-password")
    unknown = login(worker["base"], email("nobody"), "wrong-password")
    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json() == {"status": 401, "message": "Invalid credentials"}
    assert "set-cookie" not in known.headers
    assert requests.post(f"{worker['base']}/api/global/auth/default/login", json={"username": 1}).status_code == 400


def test_failed_logins_are_rate_limited_per_account(worker, keyed):
    user = new_user(keyed)
    for _ in range(10):
        assert login(worker["base"], user["email"], "wrong").status_code == 401
    limited = login(worker["base"], user["email"])
    assert limited.status_code == 429 and limited.json()["status"] == 429
    # Another account is not affected.
    assert login(worker["base"], worker["email"]).status_code == 200


# Sessions

def test_cookie_session_needs_csrf_for_writes(worker, keyed):
    user = new_user(keyed)
    browser = Client(worker["base"])
    ok(browser.post("/api/global/auth/default/login", json={"username": user["email"], "password": PASSWORD}))
    me = ok(browser.get("/api/global/self"))
    assert me["_id"] == user["_id"] and me["email"] == user["email"]
    assert not {"password", "derived_key", "salt"} & set(me)
    refused = browser.post("/api/global/self", json={"firstName": "Ada"})
    assert refused.status_code == 403
    assert browser.post("/api/global/self", json={"firstName": "Ada"}, headers={"x-csrf-token": "0" * 32}).status_code == 403
    updated = ok(browser.post("/api/global/self", json={"firstName": "Ada", "lastName": "L", "admin": {"global": True}},
                              headers={"x-csrf-token": me["csrfToken"]}))
    assert updated["firstName"] == "Ada" and updated["admin"] == {"global": False}
    # The token header needs no CSRF token: no other site can make a browser send it.
    token = login(worker["base"], user["email"]).headers["x-budibase-token"]
    ok(requests.post(f"{worker['base']}/api/global/self", json={"password": "a-new-password"}, headers={"x-budibase-token": token}))
    assert login(worker["base"], user["email"]).status_code == 401
    assert login(worker["base"], user["email"], "a-new-password").status_code == 200


def test_a_new_password_ends_the_other_sessions(worker, keyed):
    user = new_user(keyed)
    other = {"x-budibase-token": login(worker["base"], user["email"]).headers["x-budibase-token"]}
    mine = {"x-budibase-token": login(worker["base"], user["email"]).headers["x-budibase-token"]}
    ok(requests.post(f"{worker['base']}/api/global/self", json={"firstName": "Same password"}, headers=mine))
    ok(requests.get(f"{worker['base']}/api/global/self", headers=other))
    ok(requests.post(f"{worker['base']}/api/global/self", json={"password": "changed-password"}, headers=mine))
    assert requests.get(f"{worker['base']}/api/global/self", headers=other).status_code == 401
    ok(requests.get(f"{worker['base']}/api/global/self", headers=mine))
    # An admin setting it ends them all.
    ok(keyed.put(f"/api/public/v1/users/{user['_id']}", json={"password": "set-by-admin"}))
    assert requests.get(f"{worker['base']}/api/global/self", headers=mine).status_code == 401


def test_logout_ends_the_session(worker):
    token = login(worker["base"], worker["email"]).headers["x-budibase-token"]
    headers = {"x-budibase-token": token}
    ok(requests.get(f"{worker['base']}/api/global/self", headers=headers))
    response = ok(requests.post(f"{worker['base']}/api/global/auth/logout", headers=headers))
    assert response["message"]
    after = requests.get(f"{worker['base']}/api/global/self", headers=headers)
    assert after.status_code == 401 and after.json() == {"status": 401, "message": "Unauthorized"}


def test_deleting_or_deactivating_a_user_ends_their_sessions(worker, keyed):
    for change in ("deactivate", "delete"):
        user = new_user(keyed)
        headers = {"x-budibase-token": login(worker["base"], user["email"]).headers["x-budibase-token"]}
        ok(requests.get(f"{worker['base']}/api/global/self", headers=headers))
        if change == "delete":
            ok(keyed.delete(f"/api/global/users/{user['_id']}"))
        else:
            ok(keyed.put(f"/api/public/v1/users/{user['_id']}", json={"status": "inactive"}))
        assert requests.get(f"{worker['base']}/api/global/self", headers=headers).status_code == 401
        assert login(worker["base"], user["email"]).status_code == 401


def test_forged_and_malformed_tokens_are_401_alike(worker):
    token = worker["token"]
    header, claims, signature = token.split(".")
    forged = [header + "." + claims + "." + signature[:-2] + ("AA" if not signature.endswith("AA") else "BB"),
              "x.y.z", "not-a-token", token + token]
    answers = set()
    for value in forged:
        for headers in ({"x-budibase-token": value}, {"cookie": f"budibase:auth={value}"}):
            response = requests.get(f"{worker['base']}/api/global/self", headers=headers)
            assert response.status_code == 401
            answers.add(response.text)
    assert len(answers) == 1


def test_sessions_expire_after_the_configured_lifetime():
    server = AppServer(extra_args=("--app-session-lifetime", "2"))
    try:
        base = server.app_url
        ok(requests.post(f"{base}/api/global/users/init", json={"email": "short@example.com", "password": PASSWORD}))
        headers = {"x-budibase-token": login(base, "short@example.com").headers["x-budibase-token"]}
        ok(requests.get(f"{base}/api/global/self", headers=headers))
        time.sleep(2.5)
        expired = requests.get(f"{base}/api/global/self", headers=headers)
        assert expired.status_code == 401 and expired.json() == {"status": 401, "message": "Unauthorized"}
    finally:
        server.stop()


# API keys

def test_api_keys_replace_each_other_and_work_as_header_or_bearer(worker, keyed):
    user = new_user(keyed, builder={"global": True})
    token = {"x-budibase-token": login(worker["base"], user["email"]).headers["x-budibase-token"]}
    first = ok(requests.get(f"{worker['base']}/api/global/self/api_key", headers=token))["apiKey"]
    second = ok(requests.post(f"{worker['base']}/api/global/self/api_key", headers=token))["apiKey"]
    assert first != second
    for headers in ({"x-budibase-api-key": second}, {"Authorization": f"Bearer {second}"}):
        assert ok(requests.get(f"{worker['base']}/api/global/self", headers=headers))["_id"] == user["_id"]
    stale = requests.get(f"{worker['base']}/api/global/self", headers={"x-budibase-api-key": first})
    assert stale.status_code == 401
    # Writes with a key need no CSRF token; a builder may create apps but not users.
    app = ok(requests.post(f"{worker['base']}/api/public/v1/applications", json={"name": "keyed " + uuid.uuid4().hex[:6]},
                           headers={"x-budibase-api-key": second}))["data"]
    assert requests.post(f"{worker['base']}/api/global/users", json={"email": email()},
                         headers={"x-budibase-api-key": second}).status_code == 403
    ok(keyed.delete(f"/api/public/v1/applications/{app['_id']}"))


def test_only_builders_and_admins_have_api_keys(worker, keyed):
    user = new_user(keyed)
    token = {"x-budibase-token": login(worker["base"], user["email"]).headers["x-budibase-token"]}
    assert requests.post(f"{worker['base']}/api/global/self/api_key", headers=token).status_code == 403


def test_the_server_admin_keeps_basic_auth(worker):
    me = ok(requests.get(f"{worker['base']}/api/global/self", auth=ADMIN))
    assert me["_id"] == ADMIN[0] and me["admin"] == {"global": True}
    ok(requests.get(f"{worker['base']}/api/global/users", auth=ADMIN))
    assert requests.get(f"{worker['base']}/api/global/users", auth=(ADMIN[0], "wrong")).status_code == 401


# Users

def test_user_lifecycle_on_the_worker_api(keyed):
    address = email("life")
    created = ok(keyed.post("/api/global/users", json={"email": address, "password": "pw", "firstName": "A"}))
    assert created["email"] == address and created["_rev"].startswith("1-")
    user = ok(keyed.get(f"/api/global/users/{created['_id']}"))
    assert user["firstName"] == "A" and user["status"] == "active" and user["builder"] == {"global": False}
    assert not {"password", "derived_key", "salt", "iterations"} & set(user)
    updated = ok(keyed.post("/api/global/users", json={"_id": created["_id"], "lastName": "B", "email": address.upper()}))
    assert updated["email"] == address.upper()
    assert any(u["_id"] == created["_id"] for u in ok(keyed.get("/api/global/users")))
    assert "deleted" in ok(keyed.delete(f"/api/global/users/{created['_id']}"))["message"]
    assert keyed.get(f"/api/global/users/{created['_id']}").status_code == 404
    # Its email is free again.
    ok(keyed.post("/api/global/users", json={"email": address}))


def test_email_is_unique_ignoring_case(keyed):
    address = email("Unique")
    ok(keyed.post("/api/global/users", json={"email": address}))
    duplicate = keyed.post("/api/global/users", json={"email": address.lower()})
    assert duplicate.status_code == 400 and duplicate.json()["message"] == "Email already in use."


def test_concurrent_creates_of_one_email_make_one_user(worker):
    address = email("race")

    def create(index):
        body = {"email": address.upper() if index % 2 else address}
        return requests.post(f"{worker['base']}/api/global/users", json=body,
                             headers={"x-budibase-api-key": worker["key"]}).status_code

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(create, range(16)))
    assert statuses.count(200) == 1 and statuses.count(400) == 15
    found = ok(requests.post(f"{worker['base']}/api/global/users/search", json={"email": address},
                             headers={"x-budibase-api-key": worker["key"]}))
    assert len(found["data"]) == 1


def test_user_search_pages_by_email_prefix(keyed):
    prefix = "page-" + uuid.uuid4().hex[:6]
    for index in range(5):
        ok(keyed.post("/api/global/users", json={"email": f"{prefix}-{index}@example.com"}))
    seen, bookmark = [], None
    while True:
        page = ok(keyed.post("/api/global/users/search", json={"email": prefix.upper(), "limit": 2, "bookmark": bookmark}))
        assert len(page["data"]) <= 2
        seen += [user["email"] for user in page["data"]]
        if not page["hasNextPage"]:
            assert page["nextPage"] is None
            break
        bookmark = page["nextPage"]
    assert seen == [f"{prefix}-{index}@example.com" for index in range(5)]
    # Budibase's query shape.
    found = ok(keyed.post("/api/global/users/search", json={"query": {"string": {"email": f"{prefix}-3"}}}))
    assert [user["email"] for user in found["data"]] == [f"{prefix}-3@example.com"]
    assert keyed.post("/api/global/users/search", json={"limit": 0}).status_code == 400
    assert keyed.post("/api/global/users/search", json={"bookmark": "%%%"}).status_code == 400


def test_bad_user_input_is_400(keyed):
    for body in ({}, {"email": "no-at-sign"}, {"email": email(), "password": ""}, {"email": email(), "status": "x"},
                 {"email": email(), "roles": {"not-an-app": "BASIC"}}, {"email": email(), "firstName": 5}):
        response = keyed.post("/api/global/users", json=body)
        assert response.status_code == 400, (body, response.text)
    assert keyed.post("/api/global/users", data="{not json", headers={"content-type": "application/json"}).status_code == 400
    assert keyed.post("/api/global/users", data="x" * (128 << 10)).status_code == 413
    assert keyed.get("/api/global/users/us_nothing").status_code == 404
    assert keyed.delete("/api/global/users/nothing").status_code == 404


def test_public_api_users(keyed):
    address = email("public")
    created = ok(keyed.post("/api/public/v1/users", json={"email": address, "password": "pw", "firstName": "P"}))["data"]
    assert created["email"] == address and "derived_key" not in created
    fetched = ok(keyed.get(f"/api/public/v1/users/{created['_id']}"))["data"]
    assert fetched["firstName"] == "P"
    updated = ok(keyed.put(f"/api/public/v1/users/{created['_id']}", json={"lastName": "Q", "builder": {"global": True}}))["data"]
    assert updated["lastName"] == "Q" and updated["builder"] == {"global": True}
    found = ok(keyed.post("/api/public/v1/users/search", json={"name": address}))["data"]
    assert [user["_id"] for user in found] == [created["_id"]]
    deleted = ok(keyed.delete(f"/api/public/v1/users/{created['_id']}"))["data"]
    assert deleted["_id"] == created["_id"]
    assert keyed.get(f"/api/public/v1/users/{created['_id']}").status_code == 404


def test_only_admins_manage_users(worker, keyed):
    user = new_user(keyed)
    headers = {"x-budibase-token": login(worker["base"], user["email"]).headers["x-budibase-token"]}
    base = worker["base"]
    for method, path in (("GET", "/api/global/users"), ("POST", "/api/global/users"), ("POST", "/api/global/users/search"),
                         ("GET", f"/api/global/users/{user['_id']}"), ("DELETE", f"/api/global/users/{user['_id']}"),
                         ("POST", "/api/public/v1/users"), ("POST", "/api/public/v1/roles/assign"),
                         ("GET", "/api/public/v1/metrics")):
        response = requests.request(method, base + path, json={}, headers=headers)
        assert response.status_code == 403, (method, path, response.text)


# Roles and permissions

@pytest.fixture(scope="module")
def two_apps(worker):
    """Apps A and B, each with a table and a row, both published."""
    admin = Client(worker["base"], **{"x-budibase-api-key": worker["key"]})
    made = {}
    for name in ("A", "B"):
        app = ok(admin.post("/api/public/v1/applications", json={"name": f"Perm {name} {uuid.uuid4().hex[:6]}"}))["data"]
        admin.headers["x-budibase-app-id"] = app["_id"]
        table = ok(admin.post("/api/public/v1/tables", json={"name": "Notes", "schema": {"text": {"type": "string"}}}))["data"]
        ok(admin.post(f"/api/public/v1/tables/{table['_id']}/rows", json={"text": "hello"}))
        ok(admin.post(f"/api/public/v1/applications/{app['_id']}/publish"))
        made[name] = {"dev": app["_id"], "prod": app["_id"].replace("app_dev_", "app_"), "table": table["_id"]}
    return made


def act_as(worker, keyed, role_of=None):
    """A new user with `roles` and a client logged in as them (token header)."""
    user = new_user(keyed, roles=role_of or {})
    token = login(worker["base"], user["email"]).headers["x-budibase-token"]
    return user, Client(worker["base"], **{"x-budibase-token": token})


def test_a_basic_user_works_in_their_app_only(worker, keyed, two_apps):
    a, b = two_apps["A"], two_apps["B"]
    user, client = act_as(worker, keyed, {a["dev"]: "BASIC"})
    assert ok(keyed.get(f"/api/global/users/{user['_id']}"))["roles"] == {a["prod"]: "BASIC"}
    rows = f"/api/public/v1/tables/{a['table']}/rows"
    client.headers["x-budibase-app-id"] = a["prod"]
    ok(client.get(f"/api/public/v1/applications/{a['prod']}"))
    assert ok(client.post(rows + "/search", json={}))["data"][0]["text"] == "hello"
    row = ok(client.post(rows, json={"text": "mine"}))["data"]
    ok(client.put(f"{rows}/{row['_id']}", json={"text": "changed"}))
    ok(client.get(f"{rows}/{row['_id']}"))
    ok(client.delete(f"{rows}/{row['_id']}"))
    ok(client.get(f"/api/public/v1/tables/{a['table']}"))
    # Builders' work: schemas, publishing, apps.
    for method, path, body in (("POST", "/api/public/v1/tables", {"name": "X", "schema": {}}),
                               ("PUT", f"/api/public/v1/tables/{a['table']}", {"name": "X", "schema": {}}),
                               ("POST", f"/api/public/v1/applications/{a['dev']}/publish", None),
                               ("POST", "/api/public/v1/applications", {"name": "mine"}),
                               ("POST", "/api/public/v1/applications/search", {})):
        assert client.request(method, path, json=body).status_code == 403, (method, path)
    # The development app is the builders'; app B is another app.
    client.headers["x-budibase-app-id"] = a["dev"]
    assert client.post(rows + "/search", json={}).status_code == 403
    client.headers["x-budibase-app-id"] = b["prod"]
    assert client.post(f"/api/public/v1/tables/{b['table']}/rows/search", json={}).status_code == 403
    assert client.post(f"/api/public/v1/tables/{b['table']}/rows", json={"text": "x"}).status_code == 403
    assert client.get(f"/api/public/v1/applications/{b['prod']}").status_code == 403


def test_roles_assign_and_unassign(worker, keyed, two_apps):
    a = two_apps["A"]
    user, client = act_as(worker, keyed)
    client.headers["x-budibase-app-id"] = a["prod"]
    search = f"/api/public/v1/tables/{a['table']}/rows/search"
    assert client.post(search, json={}).status_code == 403
    assigned = ok(keyed.post("/api/public/v1/roles/assign", json={"userIds": [user["_id"]], "role": {"appId": a["prod"], "roleId": "POWER"}}))
    assert assigned["data"]["userIds"] == [user["_id"]]
    ok(client.post(search, json={}))
    ok(keyed.post("/api/public/v1/roles/unassign", json={"userIds": [user["_id"]], "role": {"appId": a["prod"]}}))
    assert client.post(search, json={}).status_code == 403
    bad = keyed.post("/api/public/v1/roles/assign", json={"userIds": [user["_id"]], "role": {"appId": a["prod"], "roleId": "nope"}})
    assert bad.status_code == 400
    assert keyed.post("/api/public/v1/roles/assign", json={"userIds": []}).status_code == 400
    assert keyed.post("/api/public/v1/roles/assign", json={"userIds": ["us_missing"], "builder": True}).status_code == 404
    # builder: true makes a builder, who may then change schemas.
    ok(keyed.post("/api/public/v1/roles/assign", json={"userIds": [user["_id"]], "builder": True}))
    client.headers["x-budibase-app-id"] = a["dev"]
    ok(client.post(search, json={}))


def test_custom_roles_grant_per_table(worker, keyed, two_apps):
    a = two_apps["A"]
    server = worker["server"]
    # A custom role, written in development like any app document, and published.
    role = {"inherits": "PUBLIC", "permissions": {a["table"]: ["read"]}, "name": "viewer"}
    put = requests.put(f"{server.url}/{a['dev']}/role_viewer", json=role, auth=ADMIN)
    assert put.status_code == 201, put.text
    ok(keyed.post(f"/api/public/v1/applications/{a['dev']}/publish"))
    user, client = act_as(worker, keyed, {a["prod"]: "viewer"})
    client.headers["x-budibase-app-id"] = a["prod"]
    rows = f"/api/public/v1/tables/{a['table']}/rows"
    ok(client.post(rows + "/search", json={}))
    assert client.post(rows, json={"text": "no"}).status_code == 403
    # PUBLIC opens the app but reads nothing else.
    assert client.get(f"/api/public/v1/applications/{a['prod']}").status_code == 403


# Secrets stay secret

def test_no_secret_reaches_responses_or_the_log(worker, keyed):
    secret = "log-canary-" + uuid.uuid4().hex
    user = new_user(keyed, password=secret)
    response = login(worker["base"], user["email"], secret)
    listing = keyed.get("/api/global/users").text
    assert secret not in listing and "derived_key" not in listing
    log = worker["server"].output()
    for value in (secret, worker["key"], response.headers["x-budibase-token"], PASSWORD):
        assert value not in log
