#!/bin/sh
# Each man page renders without a warning and documents every long option
# its program's --help lists, so the two cannot drift apart.
# usage: man-check.sh MAN_DIR PROGRAM...
set -eu
mandir=$1
shift
status=0
for page in "$mandir"/*.[0-9]; do
    warnings=$(groff -mandoc -Tutf8 -ww -z "$page" 2>&1)
    if [ -n "$warnings" ]; then
        echo "man-check: $page: $warnings" >&2
        status=1
    fi
done
for prog in "$@"; do
    page=$mandir/$(basename "$prog").1
    if [ ! -f "$page" ]; then
        echo "man-check: no man page $page for $prog" >&2
        status=1
        continue
    fi
    for opt in $("$prog" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        # mdoc writes --name as "Fl -name".
        if ! grep -q -- "Fl -${opt#--}\\b" "$page"; then
            echo "man-check: $page does not document $opt" >&2
            status=1
        fi
    done
done
[ "$status" -eq 0 ] && echo "man-check: pages render cleanly and list every option"
exit "$status"
