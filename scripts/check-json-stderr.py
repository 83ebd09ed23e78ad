#!/usr/bin/env python3
"""Checks that every line of a task JAR's stderr is a JSON log line.

    scripts/check-json-stderr.py [FILE ...]     (no FILE, or -: standard input)

A log line is one JSON object with "ts", "level" and "msg". Exits 0 when every line is one
(an empty input included), 1 listing each line that is not (file:line: the line), 2 when a
file cannot be read. Python 3 standard library only; scripts/check-demo-stderr.sh runs the
demo through it.
"""

from __future__ import annotations

import json
import sys

REQUIRED = ("ts", "level", "msg")


def problem(line: str) -> str | None:
    """Why ``line`` is not a JSON log line, or None when it is one."""
    try:
        obj = json.loads(line)
    except ValueError:
        return "not JSON"
    if not isinstance(obj, dict):
        return "not a JSON object"
    missing = [k for k in REQUIRED if k not in obj]
    return f"no {', '.join(missing)}" if missing else None


def check(name: str, lines) -> tuple[int, list[str]]:
    count, bad = 0, []
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n")
        count += 1
        why = problem(line)
        if why:
            bad.append(f"{name}:{n}: {why}: {line[:300]}")
    return count, bad


def main(argv: list[str]) -> int:
    names = argv or ["-"]
    total, bad = 0, []
    for name in names:
        try:
            if name == "-":
                count, b = check("<stdin>", sys.stdin)
            else:
                with open(name, encoding="utf-8", errors="replace") as f:
                    count, b = check(name, f)
        except OSError as e:
            print(f"check-json-stderr: {e}", file=sys.stderr)
            return 2
        total += count
        bad += b
    if bad:
        print(f"check-json-stderr: {len(bad)} of {total} line(s) are not JSON log lines (ts, level, msg):")
        for b in bad:
            print(f"  {b}")
        return 1
    print(f"check-json-stderr: {total} line(s) in {len(names)} input(s), every one a JSON log line")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
