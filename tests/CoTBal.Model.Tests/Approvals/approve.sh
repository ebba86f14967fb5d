#!/bin/sh
# Accepts the snapshots the last `dotnet test` received (tests/CoTBal.Model.Tests/bin/*/*/Approvals/*.received.txt)
# as the approved files next to this script. An explicit, separate step: the tests only compare and never
# write here. Shows the diff first; pass --yes to copy.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
found=0
for received in "$here"/../bin/*/*/Approvals/*.received.txt; do
    [ -e "$received" ] || continue
    found=1
    name=$(basename "$received" .received.txt)
    echo "== $name"
    diff -u "$here/$name.txt" "$received" || true
    if [ "${1:-}" = "--yes" ]; then cp "$received" "$here/$name.txt" && rm "$received" && echo "approved $name.txt"; fi
done
[ "$found" = 1 ] || { echo "nothing received: every snapshot matched in the last test run"; exit 0; }
[ "${1:-}" = "--yes" ] || echo "review the diff above, then run: $0 --yes"
