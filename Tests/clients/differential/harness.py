"""Runs scenarios over HTTP and normalizes the answers.

The same code serves `record.py` (against Apache CouchDB 3.4.3) and
`test_differential.py` (against Divan), so a recorded fixture and a replayed answer
go through identical normalization. What is normalized, and why:

- Revision hashes, uuids and other 32-hex-digit tokens: both servers compute them
  differently (or randomly), so each distinct token becomes `<hN>`, numbered by first
  appearance within the scenario (walking object keys in sorted order). `N-<h3>` keeps
  the generation; the same hash in `_revisions.ids`, `_conflicts`, an ETag or a
  Location gets the same number. Hashes written literally in a scenario's requests
  (e.g. `new_edits: false` revisions) are identical on both sides and kept as they are.
- Sequences: CouchDB's are `N-g1AAAA…` (an opaque, node-dependent suffix), Divan's
  `N-divan`. They become `N-<seq>`: the numeric prefix is kept and compared. CouchDB is
  recorded with one shard per database (`[cluster] q = 1`, checked by record.py), so
  its prefix is the database's update count, the same number Divan uses.
- `instance_start_time`, database sizes, password salts/derived keys/iterations,
  cookie values and `Expires` dates, multipart boundaries, non-revision ETags (of
  `_uuids` etc.): replaced by placeholders (presence is still compared).
- `Date`, `Server` and the other headers are not recorded at all; RECORDED_HEADERS are.
- `Allow` is compared as a set of methods; `Set-Cookie` as a set of attributes (names
  lowercased; whether the value is empty is kept).
- `Location`: CouchDB sends absolute URLs, Divan relative references; both are valid,
  so a relative one is resolved against the server's URL, unless the step sets
  `exact_location` (one scenario checks the form).

Object key order is not compared, except that a document body (an object with `_id`)
must keep its user fields (those not starting with `_`) in order: CouchDB preserves
the order a client wrote. Array order is compared, except at paths a step lists in
`unordered` (lists CouchDB does not order, e.g. `open_revs=all`).
"""
import base64
import json
import re
from urllib.parse import quote, unquote, urlencode

import requests

RECORDED_HEADERS = ["Content-Type", "Location", "ETag", "Allow", "Content-Range",
                    "Accept-Ranges", "Content-Encoding", "WWW-Authenticate",
                    "Set-Cookie", "Cache-Control"]

HASH = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{32}(?![0-9a-fA-F])")
SEQUENCE = re.compile(r"^(\d+)-(g[0-9][A-Za-z0-9_-]{8,}|divan)$")
VARIABLE = re.compile(r"\{\{(\w+)\}\}")
SECRET_KEYS = {"salt", "derived_key", "password_sha"}
SIZE_KEYS = {"file", "external", "active"}
SERVER_FIELDS = SECRET_KEYS | {"password_scheme", "pbkdf2_prf", "iterations"}


class Target:
    """A server under test: its base URL and its admin credentials."""

    def __init__(self, url, admin):
        self.url = url.rstrip("/")
        self.admin = tuple(admin)


# ---------------------------------------------------------------------------
# Paths: "body.results.*.changes" style patterns over (key, key, index…) tuples.

def path_matches(pattern, path):
    """True when `path` (a tuple) is at or below `pattern` ("a.*.b")."""
    parts = pattern.split(".") if pattern else []
    if len(parts) > len(path):
        return False
    return all(part == "*" or part == str(key) for part, key in zip(parts, path))


def exactly_matches(pattern, path):
    parts = pattern.split(".") if pattern else []
    return len(parts) == len(path) and path_matches(pattern, path)


def lookup(value, dotted):
    """The value at a dotted path ("0.rev"), or None."""
    for key in dotted.split("."):
        if isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return None
    return value


# ---------------------------------------------------------------------------
# Sending a step.

def substitute(value, variables):
    """Replaces {{name}} in every string (and object key) with a saved value."""
    if isinstance(value, str):
        return VARIABLE.sub(lambda m: variables.get(m.group(1), f"<unset {m.group(1)}>"), value)
    if isinstance(value, list):
        return [substitute(item, variables) for item in value]
    if isinstance(value, dict):
        return {substitute(k, variables): substitute(v, variables) for k, v in value.items()}
    return value


def encode_body(body):
    """(bytes, default Content-Type) of a step's body description."""
    if body is None:
        return None, None
    if "json" in body:
        return json.dumps(body["json"], ensure_ascii=False).encode(), "application/json"
    if "text" in body:
        return body["text"].encode(), None
    if "base64" in body:
        return base64.b64decode(body["base64"]), None
    if "form" in body:
        return urlencode([tuple(pair) for pair in body["form"]]).encode(), "application/x-www-form-urlencoded"
    raise ValueError(f"unknown body {body}")


def send(target, step, variables):
    request = substitute({k: step.get(k) for k in ("path", "query", "headers", "body")}, variables)
    url = target.url + request["path"]
    if request["query"]:
        url += "?" + urlencode([tuple(pair) for pair in request["query"]], quote_via=quote, safe="")
    data, default_type = encode_body(request["body"])
    headers = dict(request["headers"] or {})
    if default_type and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = default_type
    auth = step.get("auth", "admin")
    auth = target.admin if auth == "admin" else (tuple(auth) if auth else None)
    return requests.request(step["method"], url, headers=headers, data=data, auth=auth,
                            allow_redirects=False, timeout=120)


def set_cookies(response):
    return response.raw.headers.getlist("Set-Cookie") if response.raw is not None else []


def capture(step, response, parsed_body, variables):
    """Saves values named in the step's `save` for later steps' {{name}}."""
    for name, where in (step.get("save") or {}).items():
        value = None
        if where.startswith("body."):
            value = lookup(parsed_body, where[len("body."):])
        elif where == "body":
            value = parsed_body
        elif where.startswith("headers."):
            value = response.headers.get(where[len("headers."):])
        elif where.startswith("cookie."):
            wanted = where[len("cookie."):]
            for cookie in set_cookies(response):
                key, _, rest = cookie.partition("=")
                if key.strip() == wanted:
                    value = rest.split(";")[0]
        if value is None:
            value = f"<nothing at {where}>"
        variables[name] = value if isinstance(value, str) else json.dumps(value)


# ---------------------------------------------------------------------------
# Reading a response.

def parse_multipart(raw, boundary):
    """The parts of a multipart body: their main headers and parsed bodies."""
    parts = []
    delimiter = b"--" + boundary.encode()
    for chunk in raw.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        chunk = chunk[2:] if chunk.startswith(b"\r\n") else chunk
        head, _, body = chunk.partition(b"\r\n\r\n")
        if body.endswith(b"\r\n"):
            body = body[:-2]
        headers = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() in ("content-type", "content-disposition", "content-encoding"):
                headers[name.strip().lower()] = value.strip()
        parts.append({"headers": headers, "body": parse_body(body, headers.get("content-type", ""))})
    return parts


def boundary_of(content_type):
    match = re.search(r'boundary="?([^";]+)"?', content_type or "")
    return match.group(1) if match else None


def parse_body(raw, content_type):
    if not raw:
        return None
    if (content_type or "").startswith("multipart/") and boundary_of(content_type):
        return {"multipart": parse_multipart(raw, boundary_of(content_type))}
    if "json" in (content_type or "json"):
        try:
            return {"json": json.loads(raw)}
        except ValueError:
            pass
        lines = [line for line in raw.split(b"\n") if line.strip()]
        try:  # a continuous feed: one JSON object a line
            return {"json_lines": [json.loads(line) for line in lines]}
        except ValueError:
            pass
    try:
        return {"text": raw.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode()}


def observe(response):
    """Status, recorded headers (raw) and parsed body of a response."""
    headers = {}
    for name in RECORDED_HEADERS:
        if name == "Set-Cookie":
            cookies = set_cookies(response)
            if cookies:
                headers[name] = cookies
        elif name in response.headers:
            headers[name] = response.headers[name]
    body = parse_body(response.content, response.headers.get("Content-Type"))
    return {"status": response.status_code, "headers": headers, "body": body}


# ---------------------------------------------------------------------------
# Normalization.

class Normalizer:
    """Normalizes one scenario's responses; keeps the hash numbering across steps."""

    def __init__(self, base_url, literal_hashes):
        self.base_url = base_url
        self.literals = set(literal_hashes)
        self.numbers = {}
        self.exact_location = False

    # Hash numbering ------------------------------------------------------

    def number(self, token):
        if token not in self.literals and token not in self.numbers:
            self.numbers[token] = f"<h{len(self.numbers) + 1}>"

    def hashes_in(self, value, path, unordered, deferred):
        """Numbers hashes in document order; unordered lists are numbered afterwards."""
        if any(exactly_matches(p, path) for p in unordered) and isinstance(value, list):
            deferred.append(value)
            return
        if isinstance(value, str):
            if not SEQUENCE.match(value):
                for token in HASH.findall(value):
                    self.number(token)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.hashes_in(item, path + (index,), unordered, deferred)
        elif isinstance(value, dict):
            for key in sorted(value):
                if key in SECRET_KEYS:
                    continue
                self.hashes_in(key, path, unordered, deferred)
                self.hashes_in(value[key], path + (key,), unordered, deferred)

    def number_deferred(self, lists):
        """Numbers hashes first seen inside unordered lists, in the order of the items
        sorted with such hashes masked: as stable as it gets without an order. (Scenarios
        make sure the revisions listed there were seen before.)"""
        def masked(item):
            return HASH.sub(lambda m: self.numbers.get(m.group(0), "#"), json.dumps(item, sort_keys=True))

        for value in lists:
            for item in sorted(value, key=masked):
                self.hashes_in(item, (), (), [])

    # Rendering -----------------------------------------------------------

    def text(self, value):
        sequence = SEQUENCE.match(value)
        if sequence:
            return f"{sequence.group(1)}-<seq>"
        return HASH.sub(lambda m: self.numbers.get(m.group(0), m.group(0)), value)

    def render(self, value, path, unordered, key=None):
        if isinstance(value, str):
            if key == "bookmark" and value != "nil":
                return "<bookmark>"  # opaque: CouchDB's is an Erlang term, Divan's its own
            if key in SECRET_KEYS:
                return "<secret>"
            if key == "instance_start_time":
                return "<timestamp>"
            return self.text(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, (int, float)):
            if key == "execution_time_ms":
                return "<ms>"
            if key == "iterations":
                return "<iterations>"
            if key in ("disk_size", "data_size") or (key in SIZE_KEYS and path[-2:-1] == ("sizes",)):
                return "<size>"
            return value
        if isinstance(value, list):
            items = [self.render(item, path + (i,), unordered) for i, item in enumerate(value)]
            if any(exactly_matches(p, path) for p in unordered):
                items.sort(key=lambda item: json.dumps(item, sort_keys=True))
            return items
        return {self.text(k): self.render(v, path + (k,), unordered, key=k) for k, v in value.items()}

    def body(self, body, unordered):
        if body is None:
            return None
        if "json" in body:
            return {"json": self.render(body["json"], (), unordered)}
        if "json_lines" in body:
            return {"json_lines": self.render(body["json_lines"], (), unordered)}
        if "multipart" in body:
            return {"multipart": [
                {"headers": {k: self.header(k, v) for k, v in part["headers"].items()},
                 "body": self.body(part["body"], unordered)}
                for part in body["multipart"]]}
        if "text" in body:
            return {"text": self.text(body["text"])}
        return body

    def etag(self, value):
        """Revision and attachment-digest ETags are compared; other ETags only exist."""
        bare = value[2:] if value.startswith("W/") else value
        if re.fullmatch(r'"\d+-[^"]+"', bare) or re.fullmatch(r'"[A-Za-z0-9+/]{22}=="', bare):
            return self.text(value)
        return "<etag>"

    def header(self, name, value):
        lowered = name.lower()
        if lowered == "content-type":
            value = re.sub(r"\s*;\s*", "; ", value.strip())
            return re.sub(r'boundary="?[^";]+"?', "boundary=<boundary>", value)
        if lowered == "location":
            # CouchDB sends absolute URLs, Divan relative references (both valid, RFC
            # 9110). Compared: the target; the form only where a step asks for it.
            if value.startswith(self.base_url):
                value = "{base}" + value[len(self.base_url):]
            elif value.startswith("/") and not self.exact_location:
                value = "{base}" + value
            return self.text(value)
        if lowered == "etag":
            return self.etag(value)
        if lowered == "allow":
            return sorted(method.strip() for method in value.split(","))
        if lowered == "set-cookie":
            return sorted(cookie_attributes(cookie) for cookie in value)
        if lowered == "cache-control":
            return ", ".join(part.strip() for part in value.split(","))
        return value

    def response(self, observed, step):
        unordered = step.get("unordered") or ()
        self.exact_location = bool(step.get("exact_location"))
        body_value = None
        if observed["body"]:
            body_value = next(iter(observed["body"].values()))
        deferred = []
        self.hashes_in(body_value, (), unordered, deferred)
        for name in ("Location", "ETag"):  # (an ETag that is no revision has no number)
            value = observed["headers"].get(name)
            if value and (name == "Location" or self.etag(value) != "<etag>"):
                self.hashes_in(value, (), (), [])
        self.number_deferred(deferred)
        return {
            "status": observed["status"],
            "headers": {name: self.header(name, value) for name, value in observed["headers"].items()},
            "body": self.body(observed["body"], unordered),
        }


def cookie_attributes(cookie):
    """A Set-Cookie header as its attributes, the value and the dates replaced."""
    parts = [part.strip() for part in cookie.split(";") if part.strip()]
    name, _, value = parts[0].partition("=")
    attributes = [f"{name}=<value>" if value else f"{name}="]  # an empty value clears it
    for part in parts[1:]:
        key, equals, value = part.partition("=")
        key = key.strip().lower()
        if key == "expires":
            value = "<date>"
        attributes.append(key + (equals + value if equals else ""))
    return "; ".join([attributes[0]] + sorted(attributes[1:]))


# ---------------------------------------------------------------------------
# Scenarios: setup/teardown and the run.

def literal_hashes(steps):
    """32-hex tokens written in the scenario's requests: identical on both servers."""
    text = json.dumps([{k: s.get(k) for k in ("path", "query", "headers", "body")} for s in steps])
    return set(HASH.findall(text))


def databases(steps):
    """The databases a scenario uses: first path segments starting with `dt-`."""
    names = []
    for step in steps:
        segment = unquote(step["path"].lstrip("/").split("/")[0].split("?")[0])
        if segment.startswith("dt-") and segment not in names:
            names.append(segment)
    return names


def users(steps):
    found = []
    for step in steps:
        match = re.match(r"^/_users/org\.couchdb\.user(?::|%3A)(dt_[\w-]+)", step["path"])
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found


def clean(target, steps):
    """Deletes the scenario's databases and users, so that it can run again."""
    for name in databases(steps):
        requests.delete(f"{target.url}/{quote(name, safe='')}", auth=target.admin, timeout=60)
    for name in users(steps):
        # Deleted, then purged. Deleting alone would make the next run's sign-up continue
        # the document's history (revision 3-… instead of 1-…); purging alone writes no
        # change, so CouchDB's authentication cache would keep the old salt and the next
        # run's session cookie would not verify.
        doc_id = f"org.couchdb.user:{name}"
        found = requests.get(f"{target.url}/_users/{doc_id}", auth=target.admin, timeout=60)
        if found.status_code == 200:
            requests.delete(f"{target.url}/_users/{doc_id}", params={"rev": found.json()["_rev"]},
                            auth=target.admin, timeout=60)
        leaves = requests.get(f"{target.url}/_users/{doc_id}", params={"open_revs": "all"},
                              headers={"Accept": "application/json"}, auth=target.admin, timeout=60)
        revs = [leaf["ok"]["_rev"] for leaf in leaves.json() if "ok" in leaf] if leaves.status_code == 200 else []
        if revs:
            requests.post(f"{target.url}/_users/_purge", json={doc_id: revs}, auth=target.admin, timeout=60)


def run(target, steps):
    """Runs a scenario's steps from a clean state; returns the normalized responses."""
    clean(target, steps)
    normalizer = Normalizer(target.url, literal_hashes(steps))
    # The admin's credentials differ between the servers; a step can log in with them.
    variables = {"admin_user": target.admin[0], "admin_password": target.admin[1]}
    results = []
    try:
        for step in steps:
            response = send(target, step, variables)
            observed = observe(response)
            body = observed["body"]
            capture(step, response, next(iter(body.values())) if body else None, variables)
            results.append(normalizer.response(observed, step))
    finally:
        clean(target, steps)
    return results


# ---------------------------------------------------------------------------
# Comparison.

def differences(expected, actual, path=()):
    """(path, expected, actual) for each difference; numbers compare with their type."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected:
            if key not in actual:
                yield path + (key,), expected[key], "<absent>"
            else:
                yield from differences(expected[key], actual[key], path + (key,))
        for key in actual:
            if key not in expected:
                yield path + (key,), "<absent>", actual[key]
        if "_id" in expected and set(expected) == set(actual):
            order, actual_order = user_fields(expected), user_fields(actual)
            if order != actual_order:
                yield path + ("<key order>",), order, actual_order
        return
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (e, a) in enumerate(zip(expected, actual)):
            yield from differences(e, a, path + (index,))
        if len(expected) != len(actual):
            yield path + ("<length>",), len(expected), len(actual)
        return
    if type(expected) is not type(actual) or expected != actual:
        yield path, expected, actual


def user_fields(document):
    """A document's fields in order, without special (`_`) ones and without those a
    server adds itself (a user document's password hash)."""
    return [k for k in document if not k.startswith("_") and k not in SERVER_FIELDS]


def compare_step(expected, actual, ignore=()):
    """Differences of one step: status first, then body, then headers."""
    found = []
    for part in ("status", "body", "headers"):
        for path, e, a in differences(expected.get(part), actual.get(part), (part,)):
            if not any(path_matches(pattern, path) for pattern in ignore):
                found.append((path, e, a))
    return found


def describe(path, expected, actual, width=300):
    where = ".".join(str(p) for p in path)
    show = lambda value: json.dumps(value, ensure_ascii=False)[:width]
    return f"{where}: CouchDB {show(expected)}, Divan {show(actual)}"


def request_line(step):
    """METHOD path?query, readable (the query not percent-encoded)."""
    query = "&".join(f"{k}={v}" for k, v in step.get("query") or [])
    return f"{step['method']} {step['path']}" + (f"?{query}" if query else "")
