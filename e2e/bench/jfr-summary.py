#!/usr/bin/env python3
"""Summarises the CPU samples of a JDK Flight Recording (jdk.ExecutionSample), the evidence behind the README's
"what limits it": the hottest methods (self time), the hottest call paths through chosen frames (total time), and
the threads the samples fell in.

    e2e/bench/jfr-summary.py recording.jfr [--top 25] [--thread REGEX] [--grep REGEX ...]

Needs the JDK's `jfr` tool on PATH (or JAVA_HOME)."""
import argparse, collections, os, re, shutil, subprocess, sys

def samples(path):
    jfr = shutil.which("jfr") or os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/default-java"), "bin", "jfr")
    out = subprocess.run([jfr, "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", path],
                         check=True, capture_output=True, text=True).stdout
    thread, frames, in_stack = None, [], False
    for line in out.splitlines():
        s = line.strip()
        if s.startswith("jdk.ExecutionSample"):
            thread, frames, in_stack = None, [], False
        elif s.startswith("sampledThread"):
            m = re.search(r'"(.*)"', s)
            thread = m.group(1) if m else s
        elif s.startswith("stackTrace = ["):
            in_stack = True
        elif in_stack and s == "]":
            in_stack = False
        elif in_stack and s and s != "...":
            frames.append(re.sub(r"\s+line:.*$", "", s))
        elif s == "}" and thread is not None:
            yield thread, frames
            thread = None

def main():
    p = argparse.ArgumentParser()
    p.add_argument("recording")
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--thread", default=None, help="only samples of threads matching this regex")
    p.add_argument("--grep", action="append", default=[], help="also report the share of samples with a frame matching")
    a = p.parse_args()
    self_counts, total_counts, threads = collections.Counter(), collections.Counter(), collections.Counter()
    grep_counts = collections.Counter()
    n = 0
    for thread, frames in samples(a.recording):
        if a.thread and not re.search(a.thread, thread):
            continue
        n += 1
        threads[re.sub(r"\s*\(\d+/\d+\)#\d+|\d+", "#", thread)] += 1
        if frames:
            self_counts[frames[0]] += 1
        for f in set(frames):
            total_counts[f] += 1
        for g in a.grep:
            if any(re.search(g, f) for f in frames):
                grep_counts[g] += 1
    if n == 0:
        sys.exit("no samples")
    print(f"samples: {n}")
    print("\n# threads")
    for t, c in threads.most_common(12):
        print(f"{100.0 * c / n:6.1f}%  {t}")
    print("\n# self (top frame)")
    for f, c in self_counts.most_common(a.top):
        print(f"{100.0 * c / n:6.1f}%  {f}")
    print("\n# total (frame anywhere on the stack)")
    for f, c in total_counts.most_common(a.top):
        print(f"{100.0 * c / n:6.1f}%  {f}")
    if a.grep:
        print("\n# matching")
        for g in a.grep:
            print(f"{100.0 * grep_counts[g] / n:6.1f}%  {g}")

main()
