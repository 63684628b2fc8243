#!/usr/bin/env python3
"""prof.py ELF LOG [N]: fold a kernel profile (kernel/kern/prof.c's PROF
lines on the console log LOG) into functions with the image's symbol
table (nm -n ELF) and print the N busiest (default 40) with their share
of the samples.  One table per PROFSTART..PROFEND block."""
import bisect
import subprocess
import sys


def symbols(elf):
    out = subprocess.run(["nm", "-n", elf], check=True, capture_output=True,
                         text=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "tTwW":
            addrs.append(int(p[0], 16))
            names.append(p[2])
    return addrs, names


def main():
    elf, log = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    addrs, names = symbols(elf)
    prof = None
    for line in open(log, errors="replace"):
        line = line.strip()
        if line.startswith("PROFSTART "):
            head, prof = line, {}
        elif line.startswith("PROF ") and prof is not None:
            _, a, n = line.split()
            i = bisect.bisect_right(addrs, int(a, 16)) - 1
            f = names[i] if i >= 0 else "?"
            prof[f] = prof.get(f, 0) + int(n)
        elif line.startswith("PROFEND") and prof is not None:
            total = sum(prof.values()) or 1
            print(head)
            for f, n in sorted(prof.items(), key=lambda x: -x[1])[:top]:
                print("%6d %5.1f%%  %s" % (n, 100.0 * n / total, f))
            prof = None


main()
