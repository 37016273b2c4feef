#!/usr/bin/env python3
"""Records how Apache CouchDB collates view keys, into couchdb-order.json next to this file.

The Swift tests (Tests/DocStoreTests/Mango/CouchDBCollationTests.swift) check Divan's
`Collation.compare` against it. Usage (a CouchDB 3.4.3 with admin/password; nothing else):

    COUCHDB_URL=http://admin:password@127.0.0.1:5984 python3 Tests/collation/record.py

How: one temporary database with a document {"k": value} per input, and a JavaScript view
`emit(doc.k, null)`; CouchDB sorts view rows by couch_ejson_compare (ICU's root collator for
strings), then by document id among equal keys. So the ascending view gives the order, and
for each row `?key=<its key>` gives every document whose key collates *equal* to it; rows are
grouped into these classes of equal keys. (`_all_docs` would not do: it orders ids bytewise.)
The database is deleted afterwards. Only the Python standard library is used.
"""
import base64
import json
import os
import sys
import urllib.parse
import urllib.request
import uuid

URL = os.environ.get("COUCHDB_URL", "http://admin:password@127.0.0.1:5984")

# Strings: ASCII punctuation, digits, mixed case, prefixes, accents, NFC against NFD,
# ignorable code points, other scripts, CJK, emoji. Python escapes keep the file ASCII-readable.
STRINGS = [
    "", " ", "  ", "\t", "\n", "\u00a0", "\u3000",
    # Every printable ASCII punctuation and symbol character.
    *list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    # Digits and numbers as text.
    "0", "1", "2", "9", "01", "1.5", "10", "100", "2a", "-1", "+1", "1e3", "\u00bd", "\u00b2", "\u2460",
    "\u0661", "\uff11", "\u2163", "IV",
    # Letters, case, prefixes.
    "a", "A", "b", "B", "z", "Z", "aa", "aA", "Aa", "AA", "ab", "aB", "Ab", "abc", "abC", "Abc", "ABC",
    "abcd", "abc1", "AbcZZZZZ", "a b", "a-b", "a_b", "a.b", "a,b", "a/b", "ab ", "a1", "a10", "a2",
    "foo", "Foo", "FOO", "foobar", "fooBar", "foo bar", "foo-bar", "foo_bar", "foo.bar", "item 2",
    "item 10", "the quick brown fox", "The quick brown fox", "the quick brown fox jumps",
    "x", "X", "y", "Y",
    # Accents, ligatures, special Latin letters.
    "e", "E", "\u00e9", "\u00c9", "\u00e8", "\u00ea", "\u00eb", "f", "resume", "Resume", "r\u00e9sum\u00e9",
    "R\u00e9sum\u00e9", "resumes", "cote", "c\u00f4te", "cot\u00e9", "c\u00f4t\u00e9", "coter",
    "\u00e4", "\u00e4x", "\u010d", "c", "d", "\u00df", "ss", "sS", "\u00e6", "ae", "\u00c6", "\u00f8", "o",
    "\u00e5", "\u00f1", "n", "Zo\u00eb", "zoo", "\u0131", "i", "\u0130", "\u0142", "l", "\u00fe", "th",
    "\u00f0", "\ufb01", "fi", "\u1e9e", "\u0111",
    # Canonically equivalent pairs (NFC, NFD) and canonical reordering of marks.
    "e\u0301", "E\u0301", "n\u0303", "\u00c5", "A\u030a", "\u212b", "\u01d6", "u\u0308\u0304",
    "e\u0301\u0323", "e\u0323\u0301", "\u1ec7", "x\u0300", "x\u0301", "a\u0301b",
    "\ud55c", "\u1112\u1161\u11ab", "\ud55c\uad6d\uc5b4",
    # Control and format characters (mostly ignorable in the UCA), private use, noncharacters.
    "\u0001", "a\u0001", "\u007f", "a\u007fb", "a\tb", "a\nb", "\u200b", "a\u200bb", "\ufeff", "\u00ad",
    "a\u00adb", "\ue000", "\ufffd", "\uffff", "\U0010fffd",
    # Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic, Devanagari, Thai.
    "\u03b1", "\u0391", "\u03b2", "\u03c9", "\u03a9", "\u2126", "\u0430", "\u0410", "\u0431", "\u044f",
    "\u0561", "\u10d0", "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\u0928\u092e\u0938\u094d\u0924\u0947",
    "\u0e01", "\u0e40\u0e01",
    # CJK: Han, kana (hiragana against katakana, half-width), compatibility forms.
    "\u4e00", "\u4e8c", "\u4e09", "\u4e2d", "\u4e2d\u6587", "\u65e5\u672c", "\u65e5\u672c\u8a9e", "\u6f22\u5b57",
    "\u3042", "\u30a2", "\uff71", "\u304b\u306a", "\u30ab\u30ca", "\u3072\u3089\u304c\u306a",
    "\uff46\uff55\uff4c\uff4c", "full", "\U00020000",
    # Symbols and emoji (including sequences with modifiers, flags, variation selectors).
    "\u20ac", "\u00a3", "\u00a5", "\u00a9", "\u2603", "\u2764", "\u2764\ufe0f", "\U0001f600", "\U0001f601",
    "\U0001f44d", "\U0001f44d\U0001f3fd", "\U0001f1eb\U0001f1f7", "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "a\U0001f600", "\U0001f600a",
]

# JSON values of every type, to check the order across and within types. Only values that come
# out of the JavaScript map function unchanged (checked below): 5e-324, for one, is emitted as 0.
VALUES = [
    None, False, True,
    -1e300, -100, -1.5, -1, -0.5, 0, 1e-300, 0.5, 1, 1.0, 1.5, 2, 10, 100, 1e21, 1e300,
    "", "a", "A", "b",
    [], [None], [False], [0], [1], [1, 2], [1, 2, 3], [2], ["a"], ["A"], ["a", "b"], [[]], [[1]], [{}],
    [None, None], [1, None], [1, "a"], [1, []], [1, {}],
    {}, {"a": None}, {"a": 1}, {"a": 2}, {"A": 1}, {"b": 1}, {"a": 1, "b": 1}, {"a": 1, "b": 2},
    {"b": 1, "a": 1}, {"b": 2}, {"\u00e9": 1}, {"e\u0301": 2}, {"a": [1]}, {"a": {}}, {"a": {"a": 1}},
    {"a": "b"}, {"aa": 1}, {"": 1},
]


def request(method, path, body=None):
    parsed = urllib.parse.urlsplit(URL)
    base = f"{parsed.scheme}://{parsed.hostname}:{parsed.port or 5984}"
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if parsed.username:
        token = f"{urllib.parse.unquote(parsed.username)}:{urllib.parse.unquote(parsed.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(token.encode()).decode()
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req) as response:
        return json.loads(response.read())


def collate(db, values):
    """Classes of equal keys, ascending; each class lists the inputs in input order."""
    docs = [{"_id": f"v{i:04d}", "k": v} for i, v in enumerate(values)]
    results = request("POST", f"/{db}/_bulk_docs", {"docs": docs})
    assert all("ok" in r for r in results), results
    rows = request("GET", f"/{db}/_design/order/_view/keys")["rows"]
    assert len(rows) == len(values), (len(rows), len(values))
    for row in rows:
        value = values[int(row["id"][1:])]
        assert row["key"] == value and json.dumps(row["key"])[0] == json.dumps(value)[0], (row, value)
    classes, seen = [], set()
    for row in rows:
        if row["id"] in seen:
            continue
        key = urllib.parse.quote(json.dumps(row["key"]))
        equal = [r["id"] for r in request("GET", f"/{db}/_design/order/_view/keys?key={key}")["rows"]]
        assert row["id"] in equal, (row, equal)
        seen.update(equal)
        classes.append([values[int(i[1:])] for i in sorted(equal)])
    assert len(seen) == len(values)
    return classes


def main():
    assert len(set(STRINGS)) == len(STRINGS), "duplicate input"
    version = request("GET", "/")["version"]
    recorded = {}
    for name, values in (("strings", STRINGS), ("values", VALUES)):
        db = f"icu_helper_{name}_{uuid.uuid4().hex[:8]}"
        request("PUT", f"/{db}?q=1")
        try:
            request("PUT", f"/{db}/_design/order",
                    {"views": {"keys": {"map": "function (doc) { if ('k' in doc) emit(doc.k, null); }"}}})
            recorded[name] = collate(db, values)
        finally:
            request("DELETE", f"/{db}")
    fixture = {
        "note": "Recorded from Apache CouchDB by Tests/collation/record.py: the rows of a JavaScript view "
                "emit(doc.k, null), grouped into classes of keys that CouchDB collates equal (?key= "
                "queries); classes ascending, each class in input order. Do not edit by hand; re-record.",
        "couchdb": version,
        "strings": recorded["strings"],
        "values": recorded["values"],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "couchdb-order.json")
    with open(path, "w", encoding="utf-8") as out:
        json.dump(fixture, out, ensure_ascii=True, indent=1)
        out.write("\n")
    print(f"{path}: {len(STRINGS)} strings in {len(recorded['strings'])} classes, "
          f"{len(VALUES)} values in {len(recorded['values'])} classes (CouchDB {version})")


if __name__ == "__main__":
    sys.exit(main())
