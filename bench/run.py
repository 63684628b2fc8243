"""run.py: run the benchmarks against two librumpuser.so.0 implementations.

  bench/run.sh [--rounds N] [--quick] [--only PATTERN] [--bindir DIR]
               A_LIBDIR B_LIBDIR

A_LIBDIR and B_LIBDIR each hold a librumpuser.so.0 (rumphost's build dir,
NetBSD's RUMP_PREFIX/lib).  The same binaries in DIR (default
build/bench; programs missing there are left out, with a note) are run
with LD_LIBRARY_PATH set to each in turn: round r runs every job A then B
when r is even, B then A when odd, job by job, so both see the same
machine state.  Handoff workloads are also run pinned to CPU 0
(taskset -c 0; names get "@cpu0").  The host limits (impl=host) run once
a round.  Every program prints result lines (bench/bench.h); the table
gives per workload the median [min..max] of each implementation over the
rounds and the ratio of medians B/A (> 1: B is slower).  --only keeps the
jobs whose name contains PATTERN; --quick sets BENCH_QUICK=1 (tiny runs).
Each program runs in its own session under a time limit and is killed by
its recorded process group if it overstays.
"""

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile

HYP_HANDOFF = ["hyp_mutex_contended", "hyp_cv_pingpong",
               "hyp_thread_create_join", "hyp_bio_read", "hyp_bio_pool"]
HYP_SOLO = ["hyp_mutex_uncontended", "hyp_malloc_free", "hyp_clock_gettime"]

# name, argv (binary first), pinned variant?, per-run limit (s)
JOBS = ([("hyp:" + w, ["hypbench", w], w in HYP_HANDOFF, 120)
         for w in HYP_SOLO + HYP_HANDOFF] + [
    ("init_minimal", ["init_minimal", "minimal"], False, 120),
    ("init_fs", ["init_fs", "fs"], False, 120),
    ("init_net", ["init_net", "net"], False, 120),
    ("syscall", ["syscall"], True, 120),
    ("pipe", ["pipe"], True, 120),
    ("lwp", ["lwp"], True, 120),
    ("kthread", ["kthread"], True, 120),
    ("tcp_lo", ["tcp", "lo"], True, 180),
    ("tcp_shmif", ["tcp", "shmif"], False, 180),
    ("tmpfs", ["tmpfs"], False, 120),
    ("ext2", ["ext2"], False, 300),
])
LINE = re.compile(r"^bench ([a-z0-9_.@]+) impl=(\S+) unit=(\S+) "
                  r"value=([0-9.]+) iters=([0-9]+)$")


def usage():
    sys.stderr.write(__doc__)
    sys.exit(2)


def run_one(bindir, argv, libdir, label, quick, pinned, limit, workdir):
    env = dict(os.environ)
    if libdir is not None:
        env["LD_LIBRARY_PATH"] = libdir
    env["BENCH_IMPL"] = label
    env["WORKDIR"] = workdir
    if quick:
        env["BENCH_QUICK"] = "1"
    cmd = [os.path.join(bindir, argv[0])] + argv[1:]
    if pinned:
        cmd = ["taskset", "-c", "0"] + cmd
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True,
                         universal_newlines=True)
    try:
        out, _ = p.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        print("# %s (%s): killed after %d s" % (" ".join(cmd), label, limit))
        return []
    res = []
    for ln in out.splitlines():
        m = LINE.match(ln)
        if m:
            name = m.group(1) + ("@cpu0" if pinned else "")
            res.append((name, m.group(3), float(m.group(4))))
    if p.returncode != 0:
        print("# %s (%s): exit %d: %s" % (" ".join(cmd), label,
              p.returncode, out.strip().splitlines()[-1:] or ""))
    return res


def main():
    args = sys.argv[1:]
    rounds, quick, only = 5, False, None
    bindir = os.path.join("build", "bench")
    pos = []
    while args:
        a = args.pop(0)
        if a == "--rounds" and args:
            rounds = int(args.pop(0))
        elif a == "--quick":
            quick = True
        elif a == "--only" and args:
            only = args.pop(0)
        elif a == "--bindir" and args:
            bindir = args.pop(0)
        elif a.startswith("-"):
            usage()
        else:
            pos.append(a)
    if len(pos) != 2:
        usage()
    libs = [os.path.abspath(pos[0]), os.path.abspath(pos[1])]
    for d in libs:
        if not os.path.isfile(os.path.join(d, "librumpuser.so.0")):
            sys.exit("run.sh: no librumpuser.so.0 in %s" % d)
    have_taskset = shutil.which("taskset") is not None
    jobs = []
    for name, argv, pin, limit in JOBS:
        if only and only not in name:
            continue
        if not os.access(os.path.join(bindir, argv[0]), os.X_OK):
            print("# %s: no %s/%s, left out" % (name, bindir, argv[0]))
            continue
        jobs.append((name, argv, False, limit))
        if pin and have_taskset:
            jobs.append((name + "@cpu0", argv, True, limit))
    do_limits = os.access(os.path.join(bindir, "limits"), os.X_OK) and \
        (not only or only in "limits")
    print("# A = %s\n# B = %s\n# rounds %d%s" % (libs[0], libs[1], rounds,
          ", quick" if quick else ""))
    res = {}    # name -> unit, {0: [values], 1: [...], "host": [...]}
    work = tempfile.mkdtemp(prefix="rumphost-bench.")
    try:
        for r in range(rounds):
            order = [0, 1] if r % 2 == 0 else [1, 0]
            for name, argv, pin, limit in jobs:
                for i in order:
                    wd = tempfile.mkdtemp(dir=work)
                    for n, unit, v in run_one(bindir, argv, libs[i],
                                              "AB"[i], quick, pin, limit,
                                              wd):
                        res.setdefault(n, (unit, {}))[1].setdefault(
                            i, []).append(v)
                    shutil.rmtree(wd, ignore_errors=True)
            if do_limits:
                wd = tempfile.mkdtemp(dir=work)
                for n, unit, v in run_one(bindir, ["limits"], None, "host",
                                          quick, False, 300, wd):
                    res.setdefault(n, (unit, {}))[1].setdefault(
                        "host", []).append(v)
                shutil.rmtree(wd, ignore_errors=True)
            print("# round %d of %d done" % (r + 1, rounds))
            sys.stdout.flush()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def cell(vs):
        if not vs:
            return "-"
        return "%.1f [%.1f..%.1f]" % (statistics.median(vs), min(vs),
                                       max(vs))
    rows = [("workload", "unit", "A median [min..max]",
             "B median [min..max]", "B/A")]
    for n in res:
        unit, d = res[n]
        if "host" in d:
            continue
        a, b = d.get(0, []), d.get(1, [])
        ratio = "%.2f" % (statistics.median(b) / statistics.median(a)) \
            if a and b and statistics.median(a) > 0 else "-"
        rows.append((n, unit, cell(a), cell(b), ratio))
    hrows = [("host limit", "unit", "median [min..max]", "", "")]
    for n in res:
        unit, d = res[n]
        if "host" in d:
            hrows.append((n, unit, cell(d["host"]), "", ""))
    w = [max(len(r[i]) for r in rows + hrows) for i in range(5)]
    for tbl in (rows, hrows if len(hrows) > 1 else []):
        print()
        for r in tbl:
            print("  ".join(r[i].ljust(w[i]) for i in range(5)).rstrip())


if __name__ == "__main__":
    main()
