# Shared by every test script: TAP-like "ok - ..." / "not ok - ..." lines that
# tests/run.sh counts. Source it; call `finish` last.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
KSHIM=$BUILD/kshim
SHIM=$BUILD/libkshim.so
OUT=${OUT:-$TOP/tests/out}
mkdir -p "$OUT"
_failed=0

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; _failed=$((_failed + 1)); }

# check DESC CMD...: passes when CMD exits 0.
check() {
	local desc=$1; shift
	if "$@"; then ok "$desc"; else notok "$desc (exit $?: $*)"; fi
}

# expect_eq DESC GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else notok "$1: got '$2', want '$3'"; fi
}

# expect_match DESC REGEX TEXT (extended regex, multi-line text)
expect_match() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then ok "$1"; else
		notok "$1: /$2/ not in:"; printf '%s\n' "$3" | head -n 20 | sed 's/^/    # /'
	fi
}

expect_nomatch() {
	if printf '%s' "$3" | grep -Eq -- "$2"; then
		notok "$1: /$2/ unexpectedly in:"; printf '%s\n' "$3" | head -n 20 | sed 's/^/    # /'
	else ok "$1"; fi
}

finish() { [ "$_failed" = 0 ]; exit $?; }

# A private table directory per test script.
export KSHIM_HOME=${KSHIM_HOME:-$(mktemp -d /tmp/kshim-test.XXXXXX)}
chmod 700 "$KSHIM_HOME"
