#!/usr/bin/env python3
"""Where a daemon's resident memory goes, without restarting it with NMT: the resident pages (/proc/PID/smaps)
of the heap's and the JIT code's address ranges (as jcmd GC.heap_info and Compiler.codecache give them) and
of the mapped AOT cache or CDS archive, metaspace as committed (VM.metaspace), thread stacks (resident pages of the stacks' mappings are
not told apart: the thread count is printed), and the rest (native: malloc, the JIT's arenas, NIO, the
embedding model's runtime). Prints one line:   scripts/bench/memory.py PID"""
import os, re, subprocess, sys

pid = sys.argv[1]
jcmd = os.path.join(os.environ.get("JAVA_HOME", "/usr"), "bin", "jcmd")
def run(*args):
    return subprocess.run([jcmd, pid, *args], capture_output=True, text=True, timeout=30).stdout

def kb(value, unit):
    return float(value) * {"K": 1, "KB": 1, "Kb": 1, "M": 1024, "MB": 1024, "G": 1024 * 1024, "GB": 1024 * 1024}[unit]

maps = []   # (start, end, path, resident KiB)
for line in open(f"/proc/{pid}/smaps"):
    m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$", line)
    if m:
        maps.append([int(m.group(1), 16), int(m.group(2), 16), m.group(3).strip(), 0.0])
    elif line.startswith("Rss:") and maps:
        maps[-1][3] = kb(line.split()[1], "K")

def resident(ranges):
    return sum(r for start, end, _, r in maps if any(start < hi and lo < end for lo, hi in ranges))

def bounds(text):
    return [(int(a, 16), int(c, 16)) for a, b, c in re.findall(r"\[0x([0-9a-f]+), 0x([0-9a-f]+), 0x([0-9a-f]+)[)\]]", text)]

heap = resident(bounds(run("GC.heap_info")))
code = resident(bounds(run("Compiler.codecache")))
meta = re.search(r"^\s*Both:.*?([\d.]+) (KB|MB|GB) \(\s*[<\d]+%\) committed", run("VM.metaspace"), re.M)
meta = kb(*meta.groups()) if meta else 0
status = open(f"/proc/{pid}/status").read()
rss = kb(re.search(r"VmRSS:\s+(\d+)", status).group(1), "K")
threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
archive = sum(r for _, _, path, r in maps if path.endswith((".aot", ".jsa")))
other = rss - heap - meta - code - archive
mib = lambda k: k / 1024
print(f"rss {mib(rss):5.0f} MiB = heap {mib(heap):4.0f} + metaspace {mib(meta):3.0f} + code {mib(code):3.0f} "
      f"+ AOT/CDS {mib(archive):3.0f} + other native {mib(other):4.0f} ({threads} threads)")
