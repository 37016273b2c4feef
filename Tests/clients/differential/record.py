"""Records the differential fixtures from a running Apache CouchDB 3.4.3.

    COUCHDB_URL=http://127.0.0.1:5984 python3 Tests/clients/differential/record.py [scenario ...]

(`make record` runs it.) The server admin is admin/password unless COUCHDB_USER and
COUCHDB_PASSWORD say otherwise. CouchDB must be configured with `[cluster] q = 1`, so
that each database is one shard: its changes then come in sequence order and the
numeric prefix of its sequences counts updates, as Divan's do (see harness.py).
Writes fixtures/<scenario>.json: each step's request (as written in scenarios.py) and
its normalized response.

CouchDB 3.4 locks a user name out for 5 minutes after 5 failed logins
([chttpd_auth_lockout]); the scenarios fail at most once per name and run, so record
at most four times within 5 minutes (a locked name shows as 403 "temporarily locked"
in the fixtures). Recording twice must give identical fixtures.
"""
import json
import os
import sys

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402
from scenarios import SCENARIOS  # noqa: E402

FIXTURES = os.path.join(HERE, "fixtures")


def recorded_request(step):
    """What a fixture keeps of a step: everything but Divan's documented differences."""
    return {key: value for key, value in step.items() if key != "differs"}


def check_server(target):
    """Exits with a clear message unless a suitable CouchDB answers."""
    try:
        welcome = requests.get(target.url + "/", timeout=5).json()
        shards = requests.get(target.url + "/_node/_local/_config/cluster/q", auth=target.admin, timeout=5)
    except (requests.RequestException, ValueError) as error:
        sys.exit(f"no CouchDB at {target.url} ({error.__class__.__name__}); start CouchDB 3.4.3 "
                 "(admin/password, [cluster] q = 1) or set COUCHDB_URL")
    if welcome.get("couchdb") != "Welcome":
        sys.exit(f"{target.url} is not CouchDB: {welcome}")
    if welcome.get("version") != "3.4.3":
        print(f"warning: recording from CouchDB {welcome.get('version')}, not 3.4.3", file=sys.stderr)
    if shards.status_code != 200 or shards.json() != "1":
        sys.exit(f"{target.url} must run with [cluster] q = 1 (is {shards.text.strip()}); "
                 "add it to an ini file in etc/local.d")


def record(target, name, scenario):
    results = harness.run(target, scenario["steps"])
    fixture = {
        "scenario": name,
        "description": scenario["description"],
        "steps": [{"request": recorded_request(step), "response": response}
                  for step, response in zip(scenario["steps"], results)],
    }
    with open(os.path.join(FIXTURES, name + ".json"), "w") as out:
        json.dump(fixture, out, indent=1, ensure_ascii=False)
        out.write("\n")
    return len(results)


def main(names):
    target = harness.Target(os.environ.get("COUCHDB_URL", "http://127.0.0.1:5984"),
                            (os.environ.get("COUCHDB_USER", "admin"), os.environ.get("COUCHDB_PASSWORD", "password")))
    check_server(target)
    unknown = [name for name in names if name not in SCENARIOS]
    if unknown:
        sys.exit(f"unknown scenarios: {', '.join(unknown)}")
    os.makedirs(FIXTURES, exist_ok=True)
    if not names:
        # A full recording also drops fixtures of scenarios that no longer exist.
        for stale in os.listdir(FIXTURES):
            if stale.endswith(".json") and stale[:-5] not in SCENARIOS:
                os.remove(os.path.join(FIXTURES, stale))
    steps = 0
    for name in names or SCENARIOS:
        steps += record(target, name, SCENARIOS[name])
    print(f"recorded {len(names or SCENARIOS)} scenarios, {steps} steps from {target.url} into {FIXTURES}")


if __name__ == "__main__":
    main(sys.argv[1:])
