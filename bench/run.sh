#!/bin/sh
# run.sh: the benchmark runner; see run.py for usage.  Needs python3.
exec python3 "$(dirname "$0")/run.py" "$@"
