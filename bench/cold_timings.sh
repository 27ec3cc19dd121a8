#!/usr/bin/env bash
# Cold wall times of the main commands, measured side by side in one run on a
# fresh clone (so nothing is cached): the set-up `make build` (creates .venv),
# a pipeline-only `make build`, `make validate`, and upstream
# `frictionless validate dist/datapackage.json`. Prints seconds and the ratio of
# each to the upstream frictionless validation.
# Usage: bash bench/cold_timings.sh [path-to-repo]   (default: this repository)
set -euo pipefail
repo=$(cd "${1:-$(dirname "$0")/..}" && pwd)
work=$(mktemp -d "$(dirname "$repo")/bench-clone.XXXX")
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/repo"
cd "$work/repo"

seconds() { local TIMEFORMAT=%R; { time "$@" >/dev/null 2>&1; } 2>&1; }

setup=$(seconds make build)                       # venv + pinned install + build
touch raw/*.csv
build=$(seconds make build)                       # the pipeline alone, new process
validate=$(seconds make validate)
upstream=$(seconds .venv/bin/frictionless validate dist/datapackage.json)
noop=$(seconds make build)                        # nothing changed

printf '%-48s %8s %8s\n' command seconds ratio
for row in "make build (fresh clone, incl. .venv install):$setup" "make build (inputs touched):$build" \
           "make validate:$validate" "frictionless validate dist/datapackage.json:$upstream" \
           "make build (no-op):$noop"; do
  name=${row%:*}; value=${row##*:}
  printf '%-48s %8.2f %8.2f\n' "$name" "$value" "$(python3 -c "print($value / $upstream)")"
done
