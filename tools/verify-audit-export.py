#!/usr/bin/env python3
"""Verifies an audit export (GET /api/v1/audit-logs/export/) offline, with nothing but
Python's standard library: every line must follow the one before it and hash to what it
says. Prints OK and exits 0, or names the first bad sequence number and exits 1.

    python3 tools/verify-audit-export.py audit-log.jsonl

The algorithm (the same as `switchyard audit verify`, README "Verifying the audit log"):
content = lowercase hex SHA-256 of the compact JSON array (sorted keys, UTF-8)

    ["switchyard-audit-v1", organization, id, task_id, task_key, action,
     performed_by, performed_by_name if performed_by is null else null,
     old_value, new_value, reason, timestamp_us]

hash = lowercase hex SHA-256 of the text "<prev_hash>:<seq>:<content>"

where, inside old_value and new_value, the values of the keys "username" and "email" are
replaced by null (people are committed to by id: an erasure may replace their names). The
first entry's prev_hash is 64 zeros. Numbers in entries are integers: two JSON libraries
need not print a fraction alike, so a line holding one is refused rather than guessed at.
"""
import hashlib
import json
import sys

GENESIS = "0" * 64
PERSONAL_KEYS = ("username", "email")


def without_names(value):
    if isinstance(value, dict):
        return {k: (None if k in PERSONAL_KEYS else without_names(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [without_names(v) for v in value]
    return value


def entry_hash(e):
    fields = [
        "switchyard-audit-v1",
        e["organization"],
        e["id"],
        e["task_id"],
        e["task_key"],
        e["action"],
        e["performed_by"],
        e["performed_by_name"] if e["performed_by"] is None else None,
        None if e["old_value"] is None else without_names(e["old_value"]),
        None if e["new_value"] is None else without_names(e["new_value"]),
        e["reason"],
        e["timestamp_us"],
    ]
    canonical = json.dumps(fields, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    content = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    link = f"{e['prev_hash']}:{e['seq']}:{content}"
    return hashlib.sha256(link.encode("ascii")).hexdigest()


class FractionFound(ValueError):
    pass


def no_fractions(text):
    raise FractionFound(text)


def verify(lines):
    expected, prev, count = 1, GENESIS, 0
    for line in lines:
        if not line.strip():
            continue
        count += 1
        try:
            e = json.loads(line, parse_float=no_fractions)
        except FractionFound as f:
            return count, f"entry #{expected} holds a fraction ({f}); only integers are hashed alike"
        if e["seq"] != expected:
            return count, f"entry #{expected} is missing (deleted)"
        if e["prev_hash"] != prev:
            return count, f"entry #{expected} does not follow entry #{expected - 1}"
        if entry_hash(e) != e["hash"]:
            return count, f"entry #{expected} was modified"
        prev, expected = e["hash"], expected + 1
    return count, None


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        print("usage: verify-audit-export.py EXPORT.jsonl", file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        count, problem = verify(f)
    if problem:
        print(f"FAILED: {problem}")
        return 1
    print(f"OK: {count} entries, chain intact")
    return 0


if __name__ == "__main__":
    sys.exit(main())
