"""Rewrites known_differences.json from a replay against Divan.

    DIVAN_BINARY=.build/debug/divan python3 Tests/clients/differential/update_known.py

Starts Divan as the tests do, replays every recorded scenario and keeps, for each one
that fails, the one-line description of its first difference. Read the diff of the
file before committing it: every entry is a way Divan differs from CouchDB.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]

import conftest  # noqa: E402
import test_differential as suite  # noqa: E402


def main():
    server = conftest.Server()
    known = {}
    try:
        for name in suite.fixture_names():
            first = suite.first_difference(*suite.replay(server.url, name))
            if first:
                known[name] = first
    finally:
        server.stop()
    with open(suite.KNOWN_FILE, "w") as out:
        json.dump(known, out, indent=1, ensure_ascii=False, sort_keys=True)
        out.write("\n")
    print(f"{len(known)} of {len(suite.fixture_names())} scenarios differ; wrote {suite.KNOWN_FILE}")


if __name__ == "__main__":
    main()
