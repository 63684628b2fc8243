#!/bin/sh
# Run unit test programs that print TAP; pass their output through and end
# with one line, "unit: N passed, M failed".  Exits non-zero if any test
# failed, a program is missing, dies, or prints fewer results than its
# plan promised.
#
# usage: sh tests/run-unit.sh program...

passed=0
failed=0
out=$(mktemp "${TMPDIR:-/tmp}/rhunit-out.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT INT TERM

for prog in "$@"; do
	echo "# $prog"
	if [ ! -x "$prog" ]; then
		echo "not ok - $prog: no such program"
		failed=$((failed + 1))
		continue
	fi
	"$prog" >"$out"
	rc=$?
	cat "$out"
	p=$(grep -c '^ok' "$out")
	f=$(grep -c '^not ok' "$out")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | head -n 1)
	passed=$((passed + p))
	failed=$((failed + f))
	if [ -z "$plan" ]; then
		echo "not ok - $prog: no plan"
		failed=$((failed + 1))
	elif [ $((p + f)) -lt "$plan" ]; then
		echo "not ok - $prog: $((plan - p - f)) of $plan tests did not run"
		failed=$((failed + plan - p - f))
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $prog: exit status $rc"
		failed=$((failed + 1))
	fi
done

echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
