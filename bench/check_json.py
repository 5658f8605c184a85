#!/usr/bin/env python3
"""check_json.py JSON FRAMEBENCH [OPTION]...

Check a `framebench --json` file: it holds exactly the rows, with their
ratios, that `FRAMEBENCH --list-rows OPTION...` prints (give the options
the file was made with), and every row is complete. Completeness only,
never speed: CI machines are shared and slow.
Exit status: 0 complete, 1 not, 2 bad usage.
"""
import json
import subprocess
import sys

PROG = "check_json.py"

# The keys every row has (bench/README.md, "JSON"); figures are a number
# or null where they do not apply.
FIGURES = ["fps", "writer_fps", "gbps", "lat_p50_us", "lat_p99_us",
           "lat_p999_us", "lat_max_us", "skipped", "retries", "bad_frames",
           "writer_cpu_pct", "reader_cpu_pct", "whole_pct", "writer_cpu_us",
           "reader_cpu_us", "cpu_us"]
ROW_KEYS = ["section", "transport", "reader_work", "size", "format",
            "readers", "slots", "status"] + FIGURES + ["spread", "ratios"]
# Latency figures come together: a row has all of them or none.
LATENCY = ["lat_p50_us", "lat_p99_us", "lat_p999_us", "lat_max_us"]
STAT_KEYS = ["median", "min", "max", "per_rep"]
RATIO_KEYS = STAT_KEYS + ["of", "target", "met"]

problems = []


def problem(what):
    problems.append(what)


def number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def row_id(r):
    """The row as --list-rows words it, ratios aside."""
    slots = "-" if r.get("slots") is None else str(r["slots"])
    return " ".join([str(r.get("section")), str(r.get("transport")),
                     str(r.get("reader_work")), str(r.get("size")),
                     str(r.get("format")), str(r.get("readers")), slots])


def check_stat(what, s, reps, keys):
    if not isinstance(s, dict):
        problem(f"{what}: not an object")
        return
    for k in keys:
        if k not in s:
            problem(f"{what}: no '{k}'")
    per_rep = s.get("per_rep")
    if not isinstance(per_rep, list) or len(per_rep) != reps:
        problem(f"{what}: 'per_rep' is not {reps} values")


def check_row(r, reps):
    what = f"row {row_id(r)}"
    for k in ROW_KEYS:
        if k not in r:
            problem(f"{what}: no '{k}'")
    if not isinstance(r.get("status"), str):
        problem(f"{what}: 'status' is not a string")
    for k in FIGURES:
        if k in r and r[k] is not None and not number(r[k]):
            problem(f"{what}: '{k}' is neither a number nor null")
    if r.get("status") == "ok":
        for k in ("fps", "gbps"):
            if not number(r.get(k)):
                problem(f"{what}: measured, but '{k}' is not a number")
        given = [k for k in LATENCY if number(r.get(k))]
        if given and len(given) != len(LATENCY):
            problem(f"{what}: only {', '.join(given)} of the latencies")
    spread = r.get("spread")
    if isinstance(spread, dict):
        for k in FIGURES:
            check_stat(f"{what}: spread '{k}'", spread.get(k), reps,
                       STAT_KEYS)
    else:
        problem(f"{what}: 'spread' is not an object")
    ratios = r.get("ratios")
    if isinstance(ratios, dict):
        for k, q in ratios.items():
            check_stat(f"{what}: ratio '{k}'", q, reps, RATIO_KEYS)
    else:
        problem(f"{what}: 'ratios' is not an object")


def compare(rows, want):
    """The JSON's rows against --list-rows's lines, in order."""
    def ratios(r):
        q = r.get("ratios")
        return (",".join(q) or "-") if isinstance(q, dict) else "?"
    got = [(row_id(r), ratios(r)) for r in rows]
    listed = [tuple(line.rsplit(" ", 1)) for line in want]
    if got == listed:
        return
    got_ids, listed_ratios = [g[0] for g in got], dict(listed)
    before = len(problems)
    for row, q in listed:
        if row not in got_ids:
            problem(f"row {row}: missing")
    for row, q in got:
        if row not in listed_ratios:
            problem(f"row {row}: not in --list-rows")
        elif q != listed_ratios[row]:
            problem(f"row {row}: ratios {q}, --list-rows says "
                    f"{listed_ratios[row]}")
    if len(problems) == before:
        problem("rows not in --list-rows's order, or repeated")


def listed_rows(framebench, options):
    """--list-rows's lines, or None (said on stderr)."""
    try:
        run = subprocess.run([framebench, "--list-rows"] + options,
                             stdout=subprocess.PIPE, universal_newlines=True)
    except OSError as e:
        print(f"{PROG}: {framebench}: {e.strerror}", file=sys.stderr)
        return None
    if run.returncode != 0:
        print(f"{PROG}: {framebench} --list-rows: exit status "
              f"{run.returncode}", file=sys.stderr)
        return None
    return run.stdout.splitlines()


def main(argv):
    if len(argv) > 1 and argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if len(argv) < 3:
        print(f"Usage: {PROG} JSON FRAMEBENCH [OPTION]...", file=sys.stderr)
        return 2
    path, framebench, options = argv[1], argv[2], argv[3:]
    try:
        with open(path, encoding="ascii") as f:
            doc = json.load(f)
    except OSError as e:
        print(f"{PROG}: {path}: {e.strerror}", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"{PROG}: {path}: not JSON: {e}", file=sys.stderr)
        return 1
    want = listed_rows(framebench, options)
    if want is None:
        return 1
    if not isinstance(doc, dict):
        print(f"{PROG}: {path}: not a JSON object", file=sys.stderr)
        return 1

    machine = doc.get("machine")
    for k in ("cpu", "cores", "kernel", "libframe", "libpng"):
        if not isinstance(machine, dict) or k not in machine:
            problem(f"machine has no '{k}'")
    settings = doc.get("settings")
    reps = settings.get("repetitions") if isinstance(settings, dict) else None
    for k in ("repetitions", "slots", "full_slots"):
        if not isinstance(settings, dict) or not number(settings.get(k)):
            problem(f"settings: '{k}' is not a number")
    rows = doc.get("rows")
    if not isinstance(rows, list) or not all(isinstance(r, dict)
                                             for r in rows):
        problem("no 'rows' array of objects")
        rows = []
    for r in rows:
        check_row(r, reps)
    targets = doc.get("targets")
    if not isinstance(targets, list) or not targets:
        problem("no 'targets' array, or an empty one")
    else:
        for q in targets:
            check_stat("target", q, reps, RATIO_KEYS)

    compare(rows, want)

    for p in problems:
        print(f"{PROG}: {path}: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"{PROG}: {path}: {len(rows)} rows as --list-rows says, "
          "each complete")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
