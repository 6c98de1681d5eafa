#!/usr/bin/env python3
"""Cuts the test fixtures in tests/fixtures/ from the full public data files.

Usage: python3 scripts/cut-fixtures.py [DATA_DIR]   (default: $ROUTER_DATA, else the first shared/data folder
found walking up from the repository, as the tests look for it)

Each fixture is the header plus the first N records of one public file, unchanged: CSV records are re-quoted
(every field in double quotes, "\n" line ends, as the tests' own CSV cutter writes them) and JSON arrays
are re-indented, so a fixture parses to exactly the first N records of its source. Router.Training.Tests'
FixtureTests checks that against the full data whenever it is present (always in CI).
"""
import csv
import json
import os
import sys

# (relative path, first N records). Counts keep each file small (RouterBench's MBPP rows carry long code answers).
FIXTURES = [
    ("routerbench/arc_challenge_train.csv", 200),
    ("routerbench/mbpp_train.csv", 100),
    ("routerbench/winogrande_train.csv", 200),
    ("routerdc7/arc_challenge_train.json", 200),
    ("routerdc7/arc_easy_train.json", 200),
    ("routerdc7/cmmlu_train.json", 200),
    ("routerdc7/gsm8k-train.json", 200),
    ("routerdc7/humaneval_train.json", 200),
    ("routerdc7/mmlu_train.json", 200),
    ("routellm/mmlu/mmlu_abstract_algebra.csv", 200),
    ("routellm/mmlu/mmlu_anatomy.csv", 200),
    ("routellm/mmlu/mmlu_college_biology.csv", 200),
]


def cut_csv(source, target, rows):
    csv.field_size_limit(sys.maxsize)
    with open(source, newline="", encoding="utf-8") as f:
        records = []
        for i, record in enumerate(csv.reader(f)):
            if i > rows:
                break
            records.append(record)
    with open(target, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(records)
    return len(records) - 1


def cut_json(source, target, items):
    with open(source, encoding="utf-8") as f:
        array = json.load(f)
    with open(target, "w", encoding="utf-8") as f:
        json.dump(array[:items], f, ensure_ascii=False, indent=2)
        f.write("\n")
    return min(items, len(array))


def find_shared_data(start):
    folder = start
    while True:
        candidate = os.path.join(folder, "shared", "data")
        if os.path.isdir(os.path.join(candidate, "routerbench")):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            sys.exit("cut-fixtures: no data folder: pass one, set ROUTER_DATA, or see scripts/get-data.sh")
        folder = parent


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    data = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("ROUTER_DATA") or find_shared_data(root)
    out = os.path.join(root, "tests", "fixtures")
    for rel, n in FIXTURES:
        source = os.path.join(data, rel)
        if not os.path.isfile(source):
            sys.exit(f"cut-fixtures: {source} not found (run scripts/get-data.sh, or pass the data folder)")
        target = os.path.join(out, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        count = cut_csv(source, target, n) if rel.endswith(".csv") else cut_json(source, target, n)
        print(f"{rel}: {count} records")


if __name__ == "__main__":
    main()
