# lib.sh: helpers for the nbfs tests (sourced).  Protocol: exit 0 pass,
# 77 skip, anything else fail; the last line says why; "# " lines are
# details run.sh repeats.

set -u
W=$WORKDIR
cd "$W" || exit 1

fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }
info() { echo "# $*"; }
need() {
	for _t in "$@"; do
		command -v "$_t" >/dev/null 2>&1 || skip "$_t not found"
	done
}

# ok CMD...: nbfs CMD must succeed.
ok() {
	"$NBFS" -q "$@" >"$W/out" 2>"$W/err" ||
	    fail "nbfs $* exited $?: $(cat "$W/err")"
}

# bad STATUS PATTERN CMD...: nbfs CMD must exit STATUS with an error
# matching PATTERN (grep -E) on stderr, and print nothing on stdout.
bad() {
	_want=$1 _pat=$2
	shift 2
	"$NBFS" -q "$@" >"$W/out" 2>"$W/err"
	_st=$?
	[ $_st -eq "$_want" ] ||
	    fail "nbfs $*: exit $_st, want $_want ($(cat "$W/err"))"
	[ -s "$W/out" ] && fail "nbfs $*: wrote to stdout: $(head -c 200 "$W/out")"
	grep -Eq "$_pat" "$W/err" ||
	    fail "nbfs $*: error '$(cat "$W/err")' does not match '$_pat'"
	info "nbfs $* -> $_st: $(head -n 1 "$W/err")"
}

# Deterministic file of N bytes from SEED.
mkdata() {
	head -c "$2" /dev/zero | openssl enc -aes-128-ctr -nosalt \
	    -pass "pass:$3" -pbkdf2 2>/dev/null >"$1" ||
	    awk -v n="$2" -v s="$3" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%c", 32 + int(rand() * 90) }' >"$1"
}

# A small tree with most kinds of entries.
mktree() {
	_t=$1
	mkdir -p "$_t/dir/sub/deeper" "$_t/empty_dir" \
	    "$_t/a_rather_long_directory_name_with_many_characters_in_it"
	mkdata "$_t/dir/file1" 10000 1
	mkdata "$_t/dir/sub/file2" 300001 2
	mkdata "$_t/dir/sub/deeper/file3" 4097 3
	mkdata "$_t/a_rather_long_directory_name_with_many_characters_in_it/Mixed_Case_Long_File_Name.dat" 5000 4
	: >"$_t/empty"
	mkdata "$_t/big" 3145728 5
	ln -s dir/file1 "$_t/link_to_file1"
	ln -s /nonexistent/target "$_t/dangling"
	echo hello >"$_t/hello.txt"
}

# treeeq A B: the trees are equal (symlinks compared as links), ignoring
# lost+found.
treeeq() {
	diff -r --no-dereference -x lost+found "$1" "$2" >"$W/diff.out" 2>&1
}

# FUSE tests.  fuse_init: SKIP unless nbfs has FUSE 3 and /dev/fuse is
# usable; arrange that a mount on $W/mnt and the nbfs process (by its
# recorded pid) are undone on exit.
fuse_init() {
	need fusermount3 mountpoint "$@"
	"$NBFS" -h | grep -q 'mount' || skip "nbfs built without FUSE 3"
	[ -c /dev/fuse ] && [ -w /dev/fuse ] || skip "/dev/fuse not usable"
	pid=
	trap fuse_cleanup EXIT
}
fuse_cleanup() {
	mountpoint -q "$W/mnt" 2>/dev/null && fusermount3 -u "$W/mnt"
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
}

# fuse_start TENTHS ARG...: nbfs ARG... $W/mnt in the background (pid
# in $pid, output in log), until $W/mnt is a mount point (TENTHS/10 s).
fuse_start() {
	_n=$1
	shift
	"$NBFS" "$@" "$W/mnt" >"$W/log" 2>&1 &
	pid=$!
	_i=0
	while ! mountpoint -q "$W/mnt"; do
		_i=$((_i + 1))
		[ $_i -gt "$_n" ] && fail "no mount of $* after $((_n / 10)) s: $(cat "$W/log")"
		kill -0 "$pid" 2>/dev/null || fail "nbfs $* died: $(cat "$W/log")"
		sleep 0.1
	done
}

# fuse_stop WHAT: fusermount3 -u, and nbfs must exit 0.
fuse_stop() {
	fusermount3 -u "$W/mnt" || fail "$1: fusermount3 -u"
	wait "$pid"
	_st=$?
	pid=
	[ $_st -eq 0 ] || fail "$1: nbfs mount exited $_st: $(tail -n 3 "$W/log")"
}

# rchar PID: bytes the process has read so far (0 when gone).
rchar() {
	awk '$1 == "rchar:" { print $2 }' "/proc/$1/io" 2>/dev/null || echo 0
}
