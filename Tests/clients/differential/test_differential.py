"""Replays the scenarios recorded from Apache CouchDB 3.4.3 (fixtures/) against Divan.

Each scenario's steps run in order against one Divan server; every step's normalized
answer must equal CouchDB's, except where the step records a difference the README
documents (`differs` in scenarios.py). Scenarios listed in known_differences.json are
expected to fail with exactly that first difference (xfail, strict): once a scenario
passes, or fails differently, the run fails until the entry is removed or updated
(`python3 Tests/clients/differential/update_known.py` rewrites the file). Re-record the
fixtures with `make record` after changing scenarios.py or harness.py.
"""
import json
import os

import pytest

import harness
from conftest import ADMIN
from record import recorded_request
from scenarios import SCENARIOS

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
KNOWN_FILE = os.path.join(HERE, "known_differences.json")


class KnownDifference(Exception):
    """The scenario fails with the first difference known_differences.json names."""


def load_json(path):
    with open(path) as source:
        return json.load(source)


def fixture_names():
    return sorted(name[:-5] for name in os.listdir(FIXTURES) if name.endswith(".json"))


KNOWN = load_json(KNOWN_FILE)
RECORDED = {name: load_json(os.path.join(FIXTURES, name + ".json")) for name in fixture_names()}


def cases():
    for name in fixture_names():
        marks = []
        if name in KNOWN:
            marks.append(pytest.mark.xfail(raises=KnownDifference, strict=True, reason=KNOWN[name]))
        yield pytest.param(name, marks=marks, id=name)


def expected_for(step, recorded):
    """CouchDB's answer, with a documented Divan answer (`differs.divan`) laid over it."""
    documented = (step.get("differs") or {}).get("divan") or {}
    return dict(recorded, **documented)


def step_differences(steps, recorded, answers):
    """(step number, step, differences) for each step whose answers differ."""
    for number, (step, expected, actual) in enumerate(zip(steps, recorded, answers), 1):
        ignore = (step.get("differs") or {}).get("ignore", [])
        found = harness.compare_step(expected_for(step, expected), actual, ignore)
        if found:
            yield number, step, found, expected, actual


def first_difference(steps, recorded, answers):
    """The one-line description known_differences.json keeps, or None."""
    for number, step, found, _, _ in step_differences(steps, recorded, answers):
        return f"step {number} {harness.request_line(step)}: {harness.describe(*found[0], width=100)}"
    return None


def report(steps, recorded, answers):
    """Every differing step: its request, the differences, and both answers in full."""
    lines = []
    for number, step, found, expected, actual in step_differences(steps, recorded, answers):
        lines.append(f"step {number}: {harness.request_line(step)}")
        lines.extend("    " + harness.describe(*difference) for difference in found)
        lines.append("    CouchDB: " + json.dumps(expected, ensure_ascii=False, sort_keys=True)[:1500])
        lines.append("    Divan:   " + json.dumps(actual, ensure_ascii=False, sort_keys=True)[:1500])
    return "\n".join(lines)


def replay(server_url, name):
    """(steps, CouchDB's recorded answers, Divan's answers) of a scenario."""
    steps = SCENARIOS[name]["steps"]
    answers = harness.run(harness.Target(server_url, ADMIN), steps)
    return steps, [step["response"] for step in RECORDED[name]["steps"]], answers


def test_fixtures_match_scenarios():
    """Every scenario is recorded as written; no stray fixtures or known differences."""
    assert sorted(SCENARIOS) == fixture_names(), "scenarios and fixtures differ: run `make record`"
    stale = [name for name, scenario in SCENARIOS.items()
             if [recorded_request(step) for step in scenario["steps"]]
             != [step["request"] for step in RECORDED[name]["steps"]]]
    assert not stale, f"scenarios changed since recording: {stale}; run `make record`"
    assert set(KNOWN) <= set(SCENARIOS), f"known differences of no scenario: {set(KNOWN) - set(SCENARIOS)}"


@pytest.mark.parametrize("name", list(cases()))
def test_scenario(server, name):
    steps, recorded, answers = replay(server.url, name)
    first = first_difference(steps, recorded, answers)
    if first is None:
        return
    details = f"{name}: Divan differs from CouchDB 3.4.3\n{report(steps, recorded, answers)}"
    if KNOWN.get(name) == first:
        raise KnownDifference(details)
    if name in KNOWN:
        pytest.fail(f"{name}: the first difference changed; update known_differences.json\n"
                    f"  known: {KNOWN[name]}\n  now:   {first}\n{details}", pytrace=False)
    pytest.fail(details, pytrace=False)
