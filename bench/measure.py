"""Run one command and print what it cost: `python bench/measure.py TIMEOUT COMMAND...`.

Prints one line: wall seconds, the peak resident set of the command's largest process (KiB,
ru_maxrss), the exit code (or `timeout`), CPU seconds (user+system of the whole tree), and the peak
of the whole process tree's memory (KiB): the sum of each live process's proportional set size
(Pss, /proc/PID/smaps_rollup), sampled every SAMPLE seconds, so pages a forked child shares with
its parent are counted once. A peak shorter than SAMPLE can be missed; ru_maxrss cannot.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time

SAMPLE = 0.05


def children_of(root: int) -> list[int]:
    """`root` and every live process below it."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(parent, []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(parents.get(pid, []))
    return tree


def pss_kib(pid: int) -> int:
    """The proportional set size of one process, 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def main(timeout: float, command: list[str]) -> None:
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree_peak = 0
    code: int | str
    while True:
        try:
            code = process.wait(SAMPLE)
            break
        except subprocess.TimeoutExpired:
            if time.perf_counter() - start > timeout:
                process.kill()
                process.wait()
                code = "timeout"
                break
            tree_peak = max(tree_peak, sum(pss_kib(pid) for pid in children_of(process.pid)))
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(time.perf_counter() - start, usage.ru_maxrss, code, usage.ru_utime + usage.ru_stime,
          max(tree_peak, 0))


if __name__ == "__main__":
    main(float(sys.argv[1]), sys.argv[2:])
