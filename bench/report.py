#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Turns bench/out/results.tsv (written by bench/run.sh) into a Markdown report and
the data files bench/report.gp plots. Standard library only.

usage: report.py OUTDIR REPORT.md
results.tsv lines: section, metric, variant, repetition, value (tab-separated).
Ratios are computed per repetition (the variants of one repetition ran back to
back) and summarised as median [min-max] over repetitions."""
import collections
import math
import statistics
import sys

outdir, report = sys.argv[1], sys.argv[2]

data = collections.defaultdict(dict)  # (section, metric, variant) -> {rep: value}
with open(f"{outdir}/results.tsv") as f:
    for line in f:
        sec, metric, variant, rep, value = line.rstrip("\n").split("\t")
        if value:
            data[(sec, metric, variant)][int(rep)] = float(value)

meta, free, failures = {}, [], []
with open(f"{outdir}/meta.txt") as f:
    for line in f:
        k, _, v = line.rstrip("\n").partition("=")
        if k == "free":
            free.append(v)
        elif k == "data_failures+":
            failures.append(v)
        else:
            meta.setdefault(k, v)


def series(sec, metric, variant):
    return data.get((sec, metric, variant), {})


def metric_of(sec, metric):
    """variant -> {rep: value} for one section's metric."""
    return lambda variant: series(sec, metric, variant)


def summary(values):
    """(median, min, max) of a list, or None."""
    values = list(values)
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def paired(a, b, op):
    """op(a[rep], b[rep]) for each repetition both have."""
    return [op(a[r], b[r]) for r in sorted(a) if r in b and b[r] != 0]


def fmt(x, digits=None):
    if x is None:
        return "n/a"
    if digits is None:
        digits = 0 if abs(x) >= 1000 else 1 if abs(x) >= 10 else 2 if abs(x) >= 1 else 3
    return f"{x:,.{digits}f}"


def cell(s, digits=None, unit=""):
    if not s:
        return "n/a"
    med, lo, hi = s
    return f"{fmt(med, digits)}{unit} [{fmt(lo, digits)}–{fmt(hi, digits)}]"


def verdict(s, ok):
    if not s:
        return "n/a"
    return "PASS" if ok(s[0]) else "**MISS**"


lines = []
out = lines.append
goals = []  # (goal text, measured cell, verdict) for the summary at the top


def goal(text, s, ok, digits=None, unit=""):
    v = verdict(s, ok)
    goals.append((text, cell(s, digits, unit), v))
    return v


# ------------------------------------------------------------------ micro
PROFILES = [("rdkafka", "librdkafka / kcat: AI_ADDRCONFIG, SOCK_STREAM, proto 6, \"9092\""),
            ("java", "Java: AI_CANONNAME, socktype 0, service NULL"),
            ("node", "Node: AI_ADDRCONFIG, SOCK_STREAM, service NULL")]
micro = []
if any(k[0] == "micro" for k in data):
    ns, wall, ir = metric_of("micro", "cpu"), metric_of("micro", "ns"), metric_of("micro", "ir")
    micro.append("## 1. Hook cost\n")
    micro.append("Each cell: median [min–max] over repetitions; each run is one process "
                 "making the call in a loop (`bench/hooks.c`), so ns/call is the mean over "
                 "the loop. CPU ns is the thread's CPU time (user + kernel), which time spent "
                 "preempted by the other work on this machine does not inflate; wall ns is "
                 "shown too. Instructions per call (user space only: syscalls count as the "
                 "few instructions that enter them) are the difference of two callgrind runs "
                 f"of {meta.get('cg_calls', '100 and 1100 iterations')}. {meta.get('micro_reps')} timing "
                 f"repetitions, {meta.get('cg_reps')} callgrind repetitions, variants interleaved "
                 "within each. A gai iteration is getaddrinfo + freeaddrinfo; a connect "
                 "iteration is socket + setsockopt(SO_LINGER 0) + connect + close, timed "
                 "around connect only (with the two clock reads), instructions counted for "
                 "the whole iteration.\n")
    micro.append("| variant | what runs | CPU ns/call | wall ns/call | instructions/call |")
    micro.append("|---|---|---|---|---|")
    desc = {
        "mapped": "shim, `kafka1` from the table",
        "hosts": "no shim, `kafka1` from a hosts file (private mount ns)",
        "numeric": "no shim, `127.77.0.1`, same hints + AI_NUMERICHOST",
    }
    for p, _ in PROFILES:
        for kind in ("mapped", "hosts", "numeric"):
            v = f"gai.{p}.{kind}"
            micro.append(f"| `{v}` | {desc[kind]} | {cell(summary(ns(v).values()))} | "
                         f"{cell(summary(wall(v).values()))} | {cell(summary(ir(v).values()), 0)} |")
    for what, name in (("gai-localhost", "`localhost` from /etc/hosts"),
                       ("gai-numeric", "`127.0.0.1`")):
        for p, _ in PROFILES:
            for side in ("shim", "plain"):
                v = f"pass.{what}.{p}.{side}"
                micro.append(f"| `{v}` | {'shim loaded, unmapped' if side == 'shim' else 'no shim'}: "
                             f"{name}, {p} hints | {cell(summary(ns(v).values()))} | "
                             f"{cell(summary(wall(v).values()))} | {cell(summary(ir(v).values()), 0)} |")
    for v, d in (("connect.rewritten", "shim: 127.77.0.1:9092 rewritten to the listener"),
                 ("connect.direct", "no shim: 127.0.0.1:listener"),
                 ("pass.connect.shim", "shim loaded: 127.0.0.1:listener, passed through"),
                 ("pass.connect.plain", "no shim: 127.0.0.1:listener")):
        micro.append(f"| `{v}` | {d} | {cell(summary(ns(v).values()))} | "
                     f"{cell(summary(wall(v).values()))} | {cell(summary(ir(v).values()), 0)} |")
    micro.append("\nHints per profile: " + "; ".join(f"**{p}** = {d}" for p, d in PROFILES) + ".\n")

    micro.append("### Ratios and goals\n")
    micro.append("Per-repetition ratios (the variants of a repetition ran back to back), "
                 "median [min–max]. Goals are judged on the median CPU-time ratio; the "
                 "wall-time ratio and the (deterministic) instruction ratio are shown beside it.\n")
    micro.append("| comparison | CPU-time ratio | goal | verdict | wall-time ratio | instruction ratio |")
    micro.append("|---|---|---|---|---|---|")
    for p, _ in PROFILES:
        m, h, n = f"gai.{p}.mapped", f"gai.{p}.hosts", f"gai.{p}.numeric"
        s = summary(paired(ns(h), ns(m), lambda a, b: a / b))
        wr = summary(paired(wall(h), wall(m), lambda a, b: a / b))
        i = summary(paired(ir(h), ir(m), lambda a, b: a / b))
        v = goal(f"mapped gai ({p}) ≥ 50x faster than hosts file", s, lambda x: x >= 50, unit="x")
        micro.append(f"| hosts file ÷ mapped, {p} (speed-up) | {cell(s, unit='x')} | ≥ 50x | {v} | {cell(wr, unit='x')} | {cell(i, unit='x')} |")
        s = summary(paired(ns(m), ns(n), lambda a, b: a / b))
        wr = summary(paired(wall(m), wall(n), lambda a, b: a / b))
        i = summary(paired(ir(m), ir(n), lambda a, b: a / b))
        v = goal(f"mapped gai ({p}) ≤ 2x numeric path", s, lambda x: x <= 2, 2, "x")
        micro.append(f"| mapped ÷ numeric, {p} | {cell(s, 2, 'x')} | ≤ 2x | {v} | {cell(wr, 2, 'x')} | {cell(i, 2, 'x')} |")
    pct = lambda a, b: (a / b - 1) * 100
    for what, name in (("gai-localhost", "unmapped gai `localhost`"),
                       ("gai-numeric", "unmapped gai `127.0.0.1`")):
        for p, _ in PROFILES:
            a, b = f"pass.{what}.{p}.shim", f"pass.{what}.{p}.plain"
            s = summary(paired(ns(a), ns(b), pct))
            wr = summary(paired(wall(a), wall(b), pct))
            i = summary(paired(ir(a), ir(b), pct))
            v = goal(f"pass-through overhead, {name}, {p}", s, lambda x: x <= 2, 1, "%")
            micro.append(f"| pass-through overhead, {name}, {p} hints | {cell(s, 1, '%')} | ≤ 2% | {v} | {cell(wr, 1, '%')} | {cell(i, 1, '%')} |")
    s = summary(paired(ns("pass.connect.shim"), ns("pass.connect.plain"), pct))
    wr = summary(paired(wall("pass.connect.shim"), wall("pass.connect.plain"), pct))
    i = summary(paired(ir("pass.connect.shim"), ir("pass.connect.plain"), pct))
    v = goal("pass-through overhead, connect 127.0.0.1", s, lambda x: x <= 2, 1, "%")
    micro.append(f"| pass-through overhead, connect 127.0.0.1 | {cell(s, 1, '%')} | ≤ 2% | {v} | {cell(wr, 1, '%')} | {cell(i, 1, '%')} |")
    s = summary(paired(ns("connect.rewritten"), ns("connect.direct"), lambda a, b: a / b))
    wr = summary(paired(wall("connect.rewritten"), wall("connect.direct"), lambda a, b: a / b))
    i = summary(paired(ir("connect.rewritten"), ir("connect.direct"), lambda a, b: a / b))
    micro.append(f"| connect rewritten ÷ direct connect | {cell(s, 3, 'x')} | — | — | {cell(wr, 3, 'x')} | {cell(i, 2, 'x')} |")
    i = summary(paired(ir("connect.rewritten"), ir("connect.direct"), lambda a, b: a - b))
    micro.append(f"| connect rewritten − direct, instructions per iteration | | — | — | | {cell(i, 0)} |")
    micro.append("")

# ------------------------------------------------------------------ data path
def median_ci(xs):
    """(median, lo, hi, coverage) of xs, with the distribution-free interval for the
    median from the sign test: order statistics k and n+1-k, k the largest with
    P(Binomial(n, 1/2) < k) <= 2.5%. None for fewer than 6 values (no such k)."""
    xs = sorted(xs)
    n = len(xs)
    tail, k = 0.0, 0
    while True:
        nxt = tail + math.comb(n, k) / 2 ** n
        if nxt > 0.025:
            break
        tail, k = nxt, k + 1
    if k == 0:
        return None
    return statistics.median(xs), xs[k - 1], xs[n - k], 1 - 2 * tail


def judge(ci, ok_above, g):
    """PASS when the interval lies on the good side of goal g, MISS when on the bad
    side, else undecided. ok_above: higher ratios are better."""
    if not ci:
        return "n/a"
    _, lo, hi, _ = ci
    if ok_above:
        return "PASS" if lo >= g else "**MISS**" if hi < g else "undecided"
    return "PASS" if hi <= g else "**MISS**" if lo > g else "undecided"


def pairs_to_decide(ci, n, g):
    """Pairs after which the interval would clear the goal, if it narrows as 1/sqrt(n)
    around the same median; None when the median sits on the goal."""
    med, lo, hi, _ = ci
    d = abs(med - g)
    if d < 1e-9:
        return None
    w = (med - lo) if med > g else (hi - med)
    return max(n + 1, math.ceil(n * (w / d) ** 2))


datap = []
plot_ratio, plot_pairs = [], []
DATA_ROWS = [  # metric, name, goal text, goal, higher ratios are better, plot label
    ("produce_msgs_s", "produce throughput, msgs/s", "≥ 0.99", 0.99, True, "produce msgs/s"),
    ("consume_msgs_s", "consume throughput, msgs/s", "≥ 0.99", 0.99, True, "consume msgs/s"),
    ("p99_ms", "latency p99, ms", "≤ 1.05", 1.05, False, "latency p99"),
    ("produce_path_cpu_s_per_m", "client CPU on the data path, produce, s per million msgs", "≤ 1.02", 1.02,
     False, "CPU/msg produce"),
    ("consume_path_cpu_s_per_m", "client CPU on the data path, consume, s per million msgs", "≤ 1.02", 1.02,
     False, "CPU/msg consume"),
    ("produce_cpu_s_per_m", "client CPU, whole process, produce, s per million msgs", None, None, False, None),
    ("consume_cpu_s_per_m", "client CPU, whole process, consume, s per million msgs", None, None, False, None),
    ("produce_rest_cpu_ms", "client CPU outside the data path (start-up, teardown), produce, ms", None, None,
     False, None),
    ("consume_rest_cpu_ms", "client CPU outside the data path (start-up, teardown), consume, ms", None, None,
     False, None),
    ("consume_start_ms", "consume: from the assignment to the first message, ms", None, None, False, None),
    ("p50_ms", "latency p50, ms", None, None, False, None),
    ("max_ms", "latency max, ms", None, None, False, None),
]
if any(k[0] == "data" for k in data):
    d = lambda m, v: series("data", m, v)
    reps = int(float(meta.get("data_reps", 0)))
    rep_secs = list(d("rep_secs", "all").values())
    secs_per_pair = statistics.mean(rep_secs) if rep_secs else None
    datap.append("## 2. Data path: internal names through the shim vs localhost, on the same brokers\n")
    datap.append(
        f"One 3-broker cluster, up with `kshim up --localhost-listener`: each broker advertises "
        f"`kafkaN:9092` on one client listener and `localhost:<its published port>` on another, "
        f"both published on 127.0.0.1. kperf (`bench/kperf.c`, librdkafka {meta.get('librdkafka')}) "
        f"runs through `kshim run` against `kafka1:9092,...` (**int**) or without kshim against "
        f"`localhost:<port>,...` (**loc**); **loc2** is loc again, the A/A control. Each of "
        f"{reps} repetitions (after one unrecorded warm-up repetition) runs each step for the "
        f"three modes back to back, in an order that goes through all six orders in turn: "
        f"produce {int(float(meta.get('data_msgs', 0))):,} messages of {meta.get('msg_size')} B "
        f"(acks=all, 3 partitions, replication 3) to a fresh topic per mode, then consume them "
        f"from the beginning (timed from the first message to the last: the wait for the first, "
        f"shown apart, now and then stalls for most of a second in either mode), then produce-to-consume latency at {meta.get('lat_rate')} msg/s for "
        f"{meta.get('lat_secs')} s (after {meta.get('lat_warmup')} s not counted). Client CPU is "
        f"kperf's own getrusage (user + system, every thread) per million messages: on the data "
        f"path, while the throughput clock runs, and for the whole process; the rest (start-up "
        f"and teardown) in ms. `kshim run` execs the client, so the whole process's figure of "
        f"**int** includes `kshim run`'s own start-up before the exec.\n")
    datap.append(
        "Each repetition gives a pair ratio int ÷ loc (A/B) and loc2 ÷ loc (A/A). A cell is the "
        "median of the pair ratios with its 95% interval (distribution-free, from the sign test: "
        "the order statistics around the median that cover it with at least 95%). A verdict is "
        "PASS when the whole interval is on the goal's good side, MISS when it is on the bad side, "
        "and *undecided* otherwise; the A/A column is the noise floor of the same method, and "
        "should hold 1.\n")
    datap.append("| metric | int | loc | loc2 | A/B int ÷ loc [95% interval] | A/A loc2 ÷ loc [95% interval] | pairs | goal | verdict | pairs to decide |")
    datap.append("|---|---|---|---|---|---|---|---|---|---|")
    for i, (m, name, gtext, g, above, label) in enumerate(DATA_ROWS):
        ab = paired(d(m, "int"), d(m, "loc"), lambda a, b: a / b)
        aa = paired(d(m, "loc2"), d(m, "loc"), lambda a, b: a / b)
        ci_ab, ci_aa = median_ci(ab), median_ci(aa)
        c_ab = f"{ci_ab[0]:.3f}x [{ci_ab[1]:.3f}–{ci_ab[2]:.3f}]" if ci_ab else "n/a"
        c_aa = f"{ci_aa[0]:.3f}x [{ci_aa[1]:.3f}–{ci_aa[2]:.3f}]" if ci_aa else "n/a"
        v, todo = "—", "—"
        if g is not None:
            v = judge(ci_ab, above, g)
            if v == "undecided":
                need = pairs_to_decide(ci_ab, len(ab), g)
                if need is None or need > 2000:
                    todo = (f"over 2,000: the median is {abs(ci_ab[0] / g - 1) * 100:.1f}% from the goal"
                            if need else "none: the median is on the goal")
                else:
                    todo = f"≈ {need}" + (f" (≈ {need * secs_per_pair / 60:.0f} min)" if secs_per_pair else "")
            goals.append((f"data path, {name}, int ÷ loc {gtext} (A/A: {c_aa})", c_ab + " (95% interval)", v))
            plot_ratio.append(f'"{label}" '
                              + " ".join(f"{x:.4f}" for x in ((ci_ab or (1, 1, 1))[:3] + (ci_aa or (1, 1, 1))[:3]))
                              + f" {g} {i}")
            for r in ab:
                plot_pairs.append(f"{i} {r:.4f} ab")
            for r in aa:
                plot_pairs.append(f"{i} {r:.4f} aa")
        datap.append(f"| {name} | {cell(summary(d(m, 'int').values()))} | {cell(summary(d(m, 'loc').values()))} | "
                     f"{cell(summary(d(m, 'loc2').values()))} | {c_ab} | {c_aa} | {len(ab)} | {gtext or '—'} | {v} | {todo} |")
    cov = median_ci([0.0] * reps)
    load = summary(d("load1", "all").values())
    datap.append(f"\nModes' cells: median [min–max] over repetitions. With {reps} pairs the interval "
                 + (f"covers the median with {cov[3] * 100:.1f}%." if cov else "not defined (fewer than 6 pairs).")
                 + (f" A repetition took {secs_per_pair:.0f} s on average; \"pairs to decide\" is how many "
                    "pairs would bring an undecided interval clear of the goal if it narrowed as "
                    "1/√n around the same median (`BENCH_SECTIONS=data BENCH_DATA_PAIRS=N make bench`)."
                    if secs_per_pair else "")
                 + (f" Load average (1 min) as each repetition began: {cell(load)} on {meta.get('nproc')} cores."
                    if load else "") + "\n")
    floor = []
    for m, name in (("produce_msgs_s", "produce"), ("consume_msgs_s", "consume")):
        aa = median_ci(paired(d(m, "loc2"), d(m, "loc"), lambda a, b: a / b))
        if aa:
            dev, half = max(1 - aa[1], aa[2] - 1, 0), (aa[2] - aa[1]) / 2
            floor.append(f"{name} {aa[1]:.3f}–{aa[2]:.3f}, within ±{dev * 100:.1f}% of 1, half-width {half * 100:.1f}%"
                         + (f" (a half-width of 5% would take ≈ {math.ceil(len(paired(d(m, 'loc2'), d(m, 'loc'), min)) * (half / 0.05) ** 2)} pairs)"
                            if half > 0.05 else ""))
    if floor:
        datap.append("Noise floor, the A/A interval for throughput: " + "; ".join(floor) + ".\n")
    minus = lambda a, b: a - b
    rest = []
    for step in ("produce", "consume"):
        ab = median_ci(paired(d(f"{step}_rest_cpu_ms", "int"), d(f"{step}_rest_cpu_ms", "loc"), minus))
        aa = median_ci(paired(d(f"{step}_rest_cpu_ms", "loc2"), d(f"{step}_rest_cpu_ms", "loc"), minus))
        if ab and aa:
            rest.append(f"{step} {ab[0]:+.1f} ms [{ab[1]:+.1f} to {ab[2]:+.1f}] (A/A {aa[0]:+.1f} ms "
                        f"[{aa[1]:+.1f} to {aa[2]:+.1f}])")
    if rest:
        datap.append("CPU outside the data path, int − loc per pair, median [95% interval]: "
                     + "; ".join(rest) + ". This is a fixed cost per program start, not per message: "
                     "`kshim run`'s own start-up before it execs the client (kshim links libc "
                     "alone: see the instructions section) and the shim's set-up.\n")
    backlog = [f"{mode} #{r}" for mode in ("int", "loc", "loc2") for r, last in d("p50_last_ms", mode).items()
               if last > 100 and last > 3 * d("p50_first_ms", mode).get(r, last)]
    if backlog:
        datap.append(f"**Backlog:** in {', '.join(backlog)} the brokers did not keep up with "
                     f"{meta.get('lat_rate')} msg/s (the last quarter's p50 over 3x the first's and over "
                     "100 ms): those latencies measure a queue; the median of the pair ratios is "
                     "robust to a few such pairs.\n")
    calls = (series("data", "shim_getaddrinfo", "int").get(0), series("data", "shim_connect", "int").get(0))
    if calls[0] is not None:
        datap.append(f"What the shim does on this path (KSHIM_DEBUG, one produce and one consume run "
                     f"of {int(float(meta.get('data_msgs', 0))):,} messages through `kshim run`): "
                     f"{int(calls[0])} getaddrinfo answers and {int(calls[1])} rewritten connects in all; "
                     "after connect() the shim is not on the data path.\n")
    bad = [f for f in failures if f.split()[-1] in ("int", "loc", "loc2")]
    if bad:
        datap.append(f"Steps that failed twice and left a gap (their pairs are left out): {', '.join(bad)}.\n")
    datap.append("")

# ------------------------------------------------------------------ TLS data path
tlsp = []
if any(k[0] == "tls" for k in data):
    t = lambda m, v: series("tls", m, v)
    reps = int(float(meta.get("tls_reps", 0)))
    tlsp.append("## 2b. Data path with TLS: internal names through the shim vs localhost\n")
    tlsp.append(
        f"A second 3-broker cluster, up with `kshim up --tls --tls-san localhost --localhost-listener`: "
        f"both client listeners speak SSL with one certificate per broker naming `kafkaN` and "
        f"`localhost`. kperf takes the settings of `kshim config --client librdkafka` (`-F`: the "
        f"cluster's CA, hostname verification on) and reaches `kafka1:9092,...` through `kshim run` "
        f"(**int**) or `localhost:<port>,...` without kshim (**loc**; **loc2**: A/A). Each of {reps} "
        f"repetitions (after one unrecorded warm-up) produces "
        f"{int(float(meta.get('tls_msgs', 0))):,} messages of {meta.get('msg_size')} B per mode "
        f"and consumes them, the modes in rotating order as in section 2. Cells and verdicts as "
        f"there.\n")
    tlsp.append("| metric | int | loc | loc2 | A/B int ÷ loc [95% interval] | A/A loc2 ÷ loc [95% interval] | pairs | goal | verdict |")
    tlsp.append("|---|---|---|---|---|---|---|---|---|")
    for m, name, gtext, g, above, _ in DATA_ROWS:
        if not t(m, "int"):
            continue
        ci_ab = median_ci(paired(t(m, "int"), t(m, "loc"), lambda a, b: a / b))
        ci_aa = median_ci(paired(t(m, "loc2"), t(m, "loc"), lambda a, b: a / b))
        c_ab = f"{ci_ab[0]:.3f}x [{ci_ab[1]:.3f}–{ci_ab[2]:.3f}]" if ci_ab else "n/a"
        c_aa = f"{ci_aa[0]:.3f}x [{ci_aa[1]:.3f}–{ci_aa[2]:.3f}]" if ci_aa else "n/a"
        v = "—"
        if g is not None:
            v = judge(ci_ab, above, g)
            goals.append((f"TLS data path, {name}, int ÷ loc {gtext} (A/A: {c_aa})", c_ab + " (95% interval)", v))
        tlsp.append(f"| {name} | {cell(summary(t(m, 'int').values()))} | {cell(summary(t(m, 'loc').values()))} | "
                    f"{cell(summary(t(m, 'loc2').values()))} | {c_ab} | {c_aa} | "
                    f"{len(paired(t(m, 'int'), t(m, 'loc'), min))} | {gtext or '—'} | {v} |")
    load = summary(t("load1", "all").values())
    if load:
        tlsp.append(f"\nLoad average (1 min) as each repetition began: {cell(load)} on {meta.get('nproc')} cores.")
    tlsp.append("")

# ------------------------------------------------------------------ startup
startp = []
if any(k[0] == "startup" for k in data):
    nodes = sorted({int(k[2][1:]) for k in data if k[0] == "startup" and k[2][0] == "n"})
    before = sorted({int(k[2][6:]) for k in data if k[0] == "startup" and k[2].startswith("before")})
    w = lambda n: series("startup", "wall_s", f"n{n}")
    rss = lambda n: series("startup", "launcher_maxrss_kb", f"n{n}")
    startp.append("## 3. Start-up scaling and launcher memory\n")
    startp.append(f"`kshim up --image {meta.get('image')} -n N` timed until it returns (every "
                  f"broker lists the whole cluster) by `/usr/bin/time`, which also gives the "
                  f"launcher's peak RSS; {meta.get('start_reps')} repetitions, the order of N "
                  f"rotating between them, `kshim down` after each.\n")
    startp.append("| N | wall time, s | ÷ N=1, per repetition | goal | verdict | ÷ N=1, ratio of medians | "
                  "launcher peak RSS, KiB | launcher CPU, s |")
    startp.append("|---|---|---|---|---|---|---|---|")
    for n in nodes:
        r = summary(paired(w(n), w(1), lambda a, b: a / b))
        g, v = "—", "—"
        if n == 3:
            g = "≤ 1.5x"
            v = goal("kshim up -n 3 ≤ 1.5x kshim up -n 1", r, lambda x: x <= 1.5, 2, "x")
        mw, m1 = summary(w(n).values()), summary(w(1).values())
        rm = f"{mw[0] / m1[0]:.2f}x" if mw and m1 else "n/a"
        startp.append(f"| {n} | {cell(mw)} | {cell(r, 2, 'x')} | {g} | {v} | {rm} | "
                      f"{cell(summary(rss(n).values()), 0)} | "
                      f"{cell(summary(series('startup', 'launcher_cpu_s', f'n{n}').values()))} |")
    startp.append("")
    # Before and after: the image under test vs the image of an older commit (before the faster start).
    cpu_how = ("CPU is Docker's own accounting of the containers (their cgroups' cpuacct.usage, "
               "summed over the cluster's containers) read when `kshim up` returns, that is when every "
               "broker lists the whole cluster, so idle seconds after ready are not counted.\n")
    if meta.get("before_image"):
        startp.append(f"Before and after: `kshim up -n N` with the image under test (**after**, "
                      f"{meta.get('image')}) and with {meta.get('before_image')} "
                      "(**before**: that commit's scripts/kafka-image.sh), each N of one right after "
                      "the same N of the other. " + cpu_how)
    else:
        startp.append(f"`kshim up -n N` with {meta.get('image')}, wall time and the brokers' CPU, "
                      "medians [min–max] of the repetitions that returned (the Goals table says how "
                      "many). " + cpu_how)
    startp.append("| N | image | wall time, s | goal | verdict | brokers' CPU, s | CPU per broker, s | goal (CPU) | verdict |")
    startp.append("|---|---|---|---|---|---|---|---|---|")
    wall_goal = {1: 1.5, 3: 3.5}
    for n in nodes:
        if n not in wall_goal and n not in before:
            continue
        for side, var in (("before", f"before{n}"), ("after", f"n{n}")):
            if side == "before" and n not in before:
                continue
            cpu = series("startup", "broker_cpu_s", var)
            per = summary(c / n for c in cpu.values())
            wg = cg = wv = cv = "—"
            if side == "after" and n in wall_goal:
                wg, cg = f"≤ {wall_goal[n]} s", f"≤ {2.0 * n:.1f} s in all"
                wv = goal(f"kshim up -n {n} ≤ {wall_goal[n]} s (wall, median of {len(series('startup', 'wall_s', var))})",
                          summary(series("startup", "wall_s", var).values()), lambda x, m=wall_goal[n]: x <= m, 2, " s")
                cv = goal(f"brokers' CPU at ready (cgroups), kshim up -n {n} ≤ {2.0 * n:.1f} CPU-s",
                          summary(cpu.values()), lambda x, m=2.0 * n: x <= m, 2, " s")
            startp.append(f"| {n} | {side} | {cell(summary(series('startup', 'wall_s', var).values()))} | {wg} | {wv} | "
                          f"{cell(summary(cpu.values()))} | {cell(per)} | {cg} | {cv} |")
        if n in before:
            r = lambda m: cell(summary(paired(series("startup", m, f"n{n}"), series("startup", m, f"before{n}"),
                                              lambda a, b: a / b)), 2, "x")
            startp.append(f"| {n} | after ÷ before, per repetition | {r('wall_s')} | — | — | {r('broker_cpu_s')} | "
                          f"{r('broker_cpu_s')} | — | — |")
    startp.append("")
    st = lambda m, n: series("startup", m, f"n{n}")
    startp.append("Where the time goes, from `kshim up`'s progress lines: creating the network "
                  "and containers, starting them, then waiting until every broker lists the "
                  "cluster; the brokers' CPU time at that point (their cgroups' cpuacct.usage, "
                  "all containers) and how busy the whole machine was meanwhile (/proc/stat, "
                  "all cores, other people's work included).\n")
    startp.append("| N | create, s | start, s | wait for ready, s | brokers' CPU, s | CPU per broker, s | machine busy |")
    startp.append("|---|---|---|---|---|---|---|")
    for n in nodes:
        per = {r: c / n for r, c in st("broker_cpu_s", n).items()}
        startp.append(f"| {n} | {cell(summary(st('phase_create_s', n).values()))} | "
                      f"{cell(summary(st('phase_start_s', n).values()))} | "
                      f"{cell(summary(st('phase_ready_s', n).values()))} | "
                      f"{cell(summary(st('broker_cpu_s', n).values()))} | {cell(summary(per.values()))} | "
                      f"{cell(summary(st('machine_busy_pct', n).values()), 0, '%')} |")
    startp.append("")

# ------------------------------------------------------------------ memory
memp = []
if any(k[0] == "memory" for k in data):
    m = lambda key, side: series("memory", key, side)
    memp.append("## 4. Memory the shim adds to a client\n")
    memp.append("`bench/hooks.c mem`: one getaddrinfo and one connect, then the process reads "
                "its own /proc files; with the shim (LD_PRELOAD + a 3-host table, mapped name, "
                "rewritten connect) vs without (numeric address, direct connect). Deltas are "
                f"per repetition ({meta.get('mem_reps')}), KiB.\n")
    memp.append("| measure | with shim | without | added by the shim | goal | verdict |")
    memp.append("|---|---|---|---|---|---|")
    for key, name in (("rollup_Pss", "Pss (smaps_rollup)"), ("rollup_Pss_Anon", "Pss_Anon"),
                      ("rollup_Pss_File", "Pss_File"), ("VmRSS", "VmRSS"), ("RssAnon", "RssAnon"),
                      ("RssFile", "RssFile")):
        s = summary(paired(m(key, "shim"), m(key, "plain"), lambda a, b: a - b))
        g, v = "—", "—"
        if key == "rollup_Pss":
            g = "≤ 100 KiB"
            v = goal("memory the shim adds to a client (Pss) ≤ 100 KiB", s, lambda x: x <= 100, 0, " KiB")
        elif key == "VmRSS":
            g = "(≤ 100 KiB)"
            v = verdict(s, lambda x: x <= 100)
        memp.append(f"| {name} | {cell(summary(m(key, 'shim').values()), 0)} | "
                    f"{cell(summary(m(key, 'plain').values()), 0)} | {cell(s, 0)} | {g} | {v} |")
    s = summary(m("shim_Rss", "shim").values())
    memp.append(f"| libkshim.so's own mappings incl. its .bss, Rss | {cell(s, 0)} | — | {cell(s, 0)} | "
                f"(≤ 100 KiB) | {verdict(s, lambda x: x <= 100)} |")
    memp.append("")
    memp.append("The goal is judged on Pss: a page of libc or ld.so that the shim's code makes "
                "the client touch is shared with every other process on the machine and counts "
                "in Pss by its share; VmRSS counts it whole, and the kernel's fault-around maps up "
                "to 16 neighbouring cached pages of a shared library per fault, so VmRSS and "
                "RssFile overstate what the shim costs and vary from run to run.\n")

# ------------------------------------------------------------------ seccomp
scp = []
if any(k[0] == "seccomp" for k in data):
    wall, cpu = metric_of("seccomp", "ns"), metric_of("seccomp", "cpu")
    scp.append("## 5. The seccomp supervisor (`kshim run --via seccomp`)\n")
    scp.append("A static build of `bench/hooks.c` (the kind of program the supervisor is for) "
               "makes one system call in a loop, under `kshim run --via seccomp --table` with the "
               "micro table (kafka1 = 127.77.0.1, port 9092 → the loopback listener) or without "
               "kshim, variants interleaved within each of "
               f"{meta.get('sc_micro_reps')} repetitions. Each cell: median [min–max] over "
               "repetitions of the median per-call time of a run (each call timed alone). "
               "Wall time is what counts here: a trapped call sleeps while the supervisor, "
               "another process, answers it, so the caller's own CPU time (shown too) leaves "
               "the supervisor's work out. A connect iteration is socket + SO_LINGER 0 + "
               "connect + close, connect timed; **connect-nb** is Go's way: a non-blocking "
               "socket, connect, poll until writable and SO_ERROR, all timed.\n")
    load = summary(series("seccomp", "load1", "all").values())
    if load:
        scp.append(f"Load average (1 min) as each repetition began: {cell(load)} "
                   f"(on {meta.get('nproc')} cores; a trapped call waits for the supervisor to "
                   "be scheduled, so these wall times grow with the machine's load).\n")
    scp.append("| variant | what runs | wall ns/call | CPU ns/call (caller only) |")
    scp.append("|---|---|---|---|")
    desc = {
        "sc.connect.mapped": "supervised: blocking connect to 127.77.0.1:9092, redirected to the listener",
        "sc.connect.direct": "no kshim: blocking connect to 127.0.0.1:listener",
        "sc.connect-nb.mapped": "supervised: non-blocking connect to 127.77.0.1:9092, redirected",
        "sc.connect-nb.direct": "no kshim: non-blocking connect to 127.0.0.1:listener",
        "sc.pass.connect.sup": "supervised: connect to 127.0.0.1:listener (unmapped: trapped, let through)",
        "sc.pass.connect.plain": "no kshim: the same",
        "sc.pass.openat.sup": "supervised: openat of a regular file, O_RDONLY (trapped, let through)",
        "sc.pass.openat.plain": "no kshim: the same",
        "sc.free.openw.sup": "supervised: openat O_WRONLY (not trapped: the filter alone)",
        "sc.free.openw.plain": "no kshim: the same",
        "sc.free.getpid.sup": "supervised: getpid (not trapped: the filter alone)",
        "sc.free.getpid.plain": "no kshim: the same",
    }
    for v, d in desc.items():
        scp.append(f"| `{v}` | {d} | {cell(summary(wall(v).values()))} | {cell(summary(cpu(v).values()))} |")
    scp.append("\n### Supervisor cost per call\n")
    scp.append("Per-repetition differences and ratios of the wall-time medians (the two "
               "variants of a repetition ran back to back): the added time as its median with the "
               "95% interval for the median (sign test, as in the data section), the ratio as "
               "median [min–max]. A goal is PASS when the whole interval is within it, MISS when "
               "the whole interval is beyond it, else undecided.\n")
    scp.append("| call | added per call, median [95% interval] | supervised ÷ without | goal | verdict |")
    scp.append("|---|---|---|---|---|")
    us = lambda a, b: (a - b) / 1000
    rows = [("mapped connect, blocking", "sc.connect.mapped", "sc.connect.direct", 20),
            ("mapped connect, non-blocking (Go)", "sc.connect-nb.mapped", "sc.connect-nb.direct", 10),
            ("untouched connect (unmapped address, trapped)", "sc.pass.connect.sup", "sc.pass.connect.plain", 5),
            ("untouched openat O_RDONLY (trapped)", "sc.pass.openat.sup", "sc.pass.openat.plain", None),
            ("untrapped openat O_WRONLY (filter only)", "sc.free.openw.sup", "sc.free.openw.plain", None),
            ("untrapped getpid (filter only)", "sc.free.getpid.sup", "sc.free.getpid.plain", None)]
    for name, a, b, limit in rows:
        d = summary(paired(wall(a), wall(b), us))
        r = summary(paired(wall(a), wall(b), lambda x, y: x / y))
        added = cell(d, 2, " µs") if limit or (d and abs(d[0]) >= 1) else cell(
            summary(paired(wall(a), wall(b), lambda x, y: x - y)), 0, " ns")
        g, v = "—", "—"
        if limit:
            ci = median_ci(paired(wall(a), wall(b), us))
            added = f"{ci[0]:+.2f} µs [{ci[1]:+.2f} to {ci[2]:+.2f}]" if ci else added + " (too few repetitions for an interval)"
            g, v = f"≤ +{limit} µs", judge(ci, False, limit)
            goals.append((f"supervisor: {name}, added over the plain connect ≤ +{limit} µs", added
                          + (" (95% interval)" if ci else ""), v))
        scp.append(f"| {name} | {added} | {cell(r, 2, 'x')} | {g} | {v} |")
    scp.append("")
    fast = lambda v: sum(x < 0.75 * statistics.median(wall(v).values()) for x in wall(v).values())
    plain = [v for v in ("sc.connect.direct", "sc.connect-nb.direct", "sc.pass.connect.plain") if wall(v)]
    scp.append("A loopback connect has two speeds on this machine: about 18 µs when waking the "
               "listener takes an interrupt to the other CPU, and 8 to 9 µs when it does not "
               "(that CPU busy with work the listener does not preempt). Held in either regime, "
               "the supervisor adds the same 3.4 to 4 µs to an untouched connect (README, "
               "\"Two speeds of a loopback connect\"); here the other CPU is mostly idle. "
               "Repetitions whose connect without kshim took under 3/4 of its median (the fast "
               "regime), counted and not removed: "
               + ", ".join(f"`{v}` {fast(v)} of {len(wall(v))}" for v in plain) + ".\n")

    m = lambda metric, mode: series("seccomp", metric, mode)
    if any(k[0] == "seccomp" and k[1] == "produce_msgs_s" for k in data):
        scp.append("### Data path: franz-go through the supervisor vs inside the cluster network\n")
        scp.append(f"One 3-broker cluster; `bench/goperf` (franz-go, `CGO_ENABLED=0`, a static "
                   f"binary) produces {int(float(meta.get('sc_msgs', 0))):,} messages of "
                   f"{meta.get('msg_size')} B (acks=all, idempotent: franz-go's defaults) to a "
                   "fresh topic (3 partitions, replication 3), then consumes them from the start "
                   "with exact counts; the clock runs from the client's creation. **sup**: "
                   "`kshim run --via seccomp --name C -- goperf -b kafka1:9092,...` on the host "
                   "(names from the supervisor's hosts file, connects redirected to the published "
                   "ports, which Docker's userland proxy carries to the brokers); **net**: the same "
                   "binary in a sidecar container's network namespace with Docker DNS "
                   "(`tests/matrix/in-netns.sh`), reaching the brokers' container addresses "
                   "directly; **host**: the same binary on the host without kshim, its own dialer "
                   "(`-map`) sending `kafkaN:9092` to the published ports: the sup path without "
                   "the supervisor. One unrecorded warm-up round per mode, of the same size, then "
                   f"{meta.get('sc_reps')} repetitions of the three modes in all six orders in turn "
                   "(sup net host, host net sup, net host sup, sup host net, ...: each mode runs "
                   "before each other one equally often). Ratios are per repetition. "
                   "CPU is user + system time: goperf's own (getrusage), the whole command's "
                   "(bash `times`, supervisor or wrapper included), and the docker-proxy "
                   "processes' (/proc) over the step.\n")
        ratio = lambda metric, a, b: summary(paired(m(metric, a), m(metric, b), lambda x, y: x / y))
        scp.append("| metric | sup | net | host | sup ÷ net | goal | verdict | sup ÷ host | host ÷ net |")
        scp.append("|---|---|---|---|---|---|---|---|---|")
        for metric, name, ok in (("produce_msgs_s", "produce, msgs/s", True),
                                 ("consume_msgs_s", "consume, msgs/s", True),
                                 ("produce_client_cpu_s", "produce, CPU s of goperf itself", False),
                                 ("produce_cpu_s", "produce, CPU s of the whole command", False),
                                 ("produce_proxy_cpu_s", "produce, CPU s of docker-proxy", False),
                                 ("consume_client_cpu_s", "consume, CPU s of goperf itself", False),
                                 ("consume_cpu_s", "consume, CPU s of the whole command", False),
                                 ("consume_proxy_cpu_s", "consume, CPU s of docker-proxy", False),
                                 ("load1", "load average (1 min) as the round began", False)):
            cols = " | ".join(cell(summary(m(metric, mode).values()), 3 if "cpu" in metric else None)
                              for mode in ("sup", "net", "host"))
            if metric == "load1" or "proxy" in metric:
                scp.append(f"| {name} | {cols} | — | — | — | — | — |")
                continue
            r = ratio(metric, "sup", "net")
            v, g = "—", "—"
            if ok:
                g = "≥ 0.99"
                v = goal(f"supervisor data path, franz-go {name}, sup ÷ net ≥ 0.99", r, lambda x: x >= 0.99, 3, "x")
            scp.append(f"| {name} | {cols} | {cell(r, 3, 'x')} | {g} | {v} | "
                       f"{cell(ratio(metric, 'sup', 'host'), 3, 'x')} | {cell(ratio(metric, 'host', 'net'), 3, 'x')} |")
        for step in ("produce", "consume"):
            beyond = {mode: {r: v - m(f"{step}_client_cpu_s", mode).get(r, v)
                             for r, v in m(f"{step}_cpu_s", mode).items()} for mode in ("sup", "net", "host")}
            scp.append(f"| {step}, CPU s of the command beyond goperf (sup: kshim run and the "
                       "supervisor; net: in-netns.sh's docker inspect, unshare, sh, nsenter) | "
                       + " | ".join(cell(summary(beyond[mode].values()), 3) for mode in ("sup", "net", "host"))
                       + " | — | — | — | — | — |")
        calls = (m("sup_connects", "sup").get(0), m("sup_hosts_opens", "sup").get(0))
        if calls[0] is not None:
            scp.append(f"\nWhat the supervisor answers itself (KSHIM_DEBUG, one produce and one consume "
                       f"run of {int(float(meta.get('sc_msgs', 0))) // 4:,} messages): "
                       f"{int(calls[0])} redirected connects and {int(calls[1])} opens of /etc/hosts "
                       "answered with its own hosts file; every other trapped call (other read-only "
                       "opens, unmapped connects) is let through, and reads and writes on the "
                       "sockets are not trapped at all.")
        bad = [f for f in failures if f.split()[0] in ("sup", "net", "host")]
        if bad:
            scp.append(f"\nSteps that failed twice and left a gap: {', '.join(bad)}.")
        scp.append("")

# ------------------------------------------------------------------ instructions
instrp = []
INSTR_GOAL, INSTR_AA = 1.01, 0.005


def instr_verdict(ab, aa):
    """PASS / MISS as judge() with the goal, when the A/A interval is within ±0.5% of 1;
    otherwise the method's own noise is too large to decide."""
    if not ab or not aa:
        return "n/a"
    if aa[1] < 1 - INSTR_AA or aa[2] > 1 + INSTR_AA:
        return "undecided (A/A outside ±0.5%)"
    return judge(ab, False, INSTR_GOAL)


if any(k[0] == "instr" for k in data):
    n = lambda m, v: series("instr", m, v)
    reps, msgs = int(float(meta.get("instr_reps", 0))), int(float(meta.get("instr_msgs", 0)))
    instrp.append("## 6. Instructions: the client per message, and a program's start\n")
    instrp.append(
        f"Instructions, counted by `valgrind --tool=callgrind`, are not stretched by the machine's "
        f"load as time is; a multi-threaded client's count still moves with it (lock contention, "
        f"retries, what its timers find), which the A/A control measures. One 3-broker cluster, up with `kshim up --localhost-listener`, as in section 2: "
        f"kperf (librdkafka {meta.get('librdkafka')}) runs under callgrind through `kshim run` "
        f"against `kafka1:9092,...` (**int**) or without kshim against `localhost:<port>,...` "
        f"(**loc**; **loc2**: loc again, the A/A control). Each of {reps} repetitions produces "
        f"{msgs:,} messages of {meta.get('msg_size')} B per mode (acks=all, 3 partitions, "
        f"replication 3; the producer with `linger.ms=60000` and `sticky.partitioning.linger.ms=0`, "
        f"so that its batches fill by size rather than by the clock, and `flush()` sends the last "
        f"ones) twice, to two fresh topics, and counts the run with fewer instructions (a run now "
        f"and then counts 1 to 2% more, never less: its threads woke more often), then consumes "
        f"the first topic once, the modes in rotating order. "
        f"Counted: every thread of the client process after its exec (callgrind "
        f"`--trace-children=yes --dump-before=execve` puts `kshim run`'s own part, before the "
        f"exec, in a file of its own), start-up and teardown included, divided by {msgs:,}. The "
        f"goal: int ÷ loc ≤ {INSTR_GOAL}, decided when the A/A interval lies within ±0.5% of 1.\n")
    instrp.append("| instructions per message | int | loc | loc2 | A/B int ÷ loc [95% interval] | "
                  "A/A loc2 ÷ loc [95% interval] | pairs | goal | verdict |")
    instrp.append("|---|---|---|---|---|---|---|---|---|")
    for step in ("produce", "consume"):
        m = f"{step}_ir_per_msg"
        ab = paired(n(m, "int"), n(m, "loc"), lambda a, b: a / b)
        ci_ab, ci_aa = median_ci(ab), median_ci(paired(n(m, "loc2"), n(m, "loc"), lambda a, b: a / b))
        c_ab = f"{ci_ab[0]:.4f}x [{ci_ab[1]:.4f}–{ci_ab[2]:.4f}]" if ci_ab else "n/a"
        c_aa = f"{ci_aa[0]:.4f}x [{ci_aa[1]:.4f}–{ci_aa[2]:.4f}]" if ci_aa else "n/a"
        v = instr_verdict(ci_ab, ci_aa)
        goals.append((f"client instructions per message, {step}, int ÷ loc ≤ {INSTR_GOAL} (A/A: {c_aa})",
                      c_ab + " (95% interval)", v))
        instrp.append(f"| {step} | {cell(summary(n(m, 'int').values()), 0)} | {cell(summary(n(m, 'loc').values()), 0)} | "
                      f"{cell(summary(n(m, 'loc2').values()), 0)} | {c_ab} | {c_aa} | {len(ab)} | ≤ {INSTR_GOAL} | {v} |")
    instrp.append("")
    for step in ("produce", "consume"):
        m = f"{step}_ir_per_msg"
        per = [(r, n(m, "int").get(r), n(m, "loc2").get(r), v) for r, v in sorted(n(m, "loc").items())]
        instrp.append(f"- {step}, each pair (repetition: int ÷ loc, loc2 ÷ loc): "
                      + "; ".join(f"{r}: {fmt(i / v, 4) if i else '—'}, {fmt(j / v, 4) if j else '—'}"
                                  for r, i, j, v in per))
    bad = [f for f in failures if f.split()[-1] in ("produce", "consume")]
    if bad:
        instrp.append(f"- steps that failed twice and left a gap (their pairs are left out): {', '.join(bad)}")
    cov = median_ci([0.0] * reps)
    launch = summary(list(n("produce_launcher_ir", "int").values()) + list(n("consume_launcher_ir", "int").values()))
    load = summary(n("load1", "all").values())
    instrp.append(f"\nModes' cells: median [min–max] over repetitions. "
                  + (f"With {reps} pairs the interval covers the median with {cov[3] * 100:.1f}%. " if cov else "")
                  + (f"`kshim run`'s own part before it execs kperf: {cell(launch, 0)} instructions. " if launch else "")
                  + (f"Load average (1 min) as each repetition began: {cell(load)} on {meta.get('nproc')} cores."
                     if load else "") + "\n")
    ir_true, cpu_true = n("start_ir", "true"), n("start_cpu_ms", "true")
    instrp.append(f"A whole program start, `/usr/bin/true`: alone (**true**), with the shim preloaded "
                  f"and a table (**preload**: true's process alone, not the `env` that set it up), and "
                  f"through `kshim run --table FILE -- /usr/bin/true` (**run**: kshim's part and true's). "
                  f"Instructions of one start under callgrind; CPU (user + system, `/usr/bin/time`) of "
                  f"{meta.get('start_runs')} starts in a shell loop, per start, the loop's fork included "
                  f"in each. {reps} repetitions, the variants in rotating order; the differences are per "
                  f"repetition.\n")
    instrp.append("| variant | instructions | more than true | CPU per start, ms | more than true, ms |")
    instrp.append("|---|---|---|---|---|")
    for v in ("true", "preload", "run"):
        di = summary(paired(n("start_ir", v), ir_true, lambda a, b: a - b))
        dc = summary(paired(n("start_cpu_ms", v), cpu_true, lambda a, b: a - b))
        instrp.append(f"| {v} | {cell(summary(n('start_ir', v).values()), 0)} | {'—' if v == 'true' else cell(di, 0)} | "
                      f"{cell(summary(n('start_cpu_ms', v).values()), 2)} | {'—' if v == 'true' else cell(dc, 2)} |")
        if v == "run":
            goal("`kshim run -- true` ≤ 2,000,000 instructions more than `true`", di, lambda x: x <= 2e6, 0)
            goal("`kshim run -- true` ≤ 1 ms CPU more than `true`", dc, lambda x: x <= 1.0, 2, " ms")
    instrp.append("")

# ------------------------------------------------------------------ Kubernetes hop
kubep = []
if any(k[0] == "kube" for k in data):
    k = lambda metric, mode: series("kube", metric, mode)
    ci = lambda metric, a, b: median_ci(paired(k(metric, a), k(metric, b), lambda x, y: x / y))
    ratio_cell = lambda c: "n/a" if not c else f"{c[0]:.2f} [{c[1]:.2f}–{c[2]:.2f}]"
    kubep.append("## 7. The Kubernetes hop (`kshim attach --kubernetes`)\n")
    kubep.append(f"The test cluster of `scripts/kubernetes.sh` (single node, this machine), a 3-broker "
                 f"Strimzi-named StatefulSet. kcat (the same Debian build on the host and in the Kafka "
                 f"image) produces {int(float(meta.get('kube_msgs', 0))):,} records of {meta.get('msg_size')} B "
                 "to a fresh one-partition topic on broker 0, then consumes them, by the pods' names: "
                 "**pod** in a pod beside the brokers (`kubectl exec`), **fwd** on the host through "
                 "`kshim run` and kshim's forwarder, **pf** on the host without kshim through one "
                 "`kubectl port-forward` per pod on a loopback address of its own with the names in "
                 "/etc/hosts (a private mount namespace: what kubefwd does), and **pod2**, pod again "
                 "(the A/A control). The clock runs around kcat alone, inside the command. "
                 f"{meta.get('kube_reps')} repetitions, the modes in rotating order; ratios are per "
                 "repetition, median with the 95% interval for the median. Hop CPU: kube-apiserver, "
                 "the kubelet and the cluster's containerd, and fwd's or pf's kubectl, per MB moved.\n")
    kubep.append("| metric | pod | fwd | pf | pod2 | fwd ÷ pod | pf ÷ pod | pod2 ÷ pod (A/A) | fwd ÷ pf |")
    kubep.append("|---|---|---|---|---|---|---|---|---|")
    for metric, name in (("produce_mb_s", "produce, MB/s"), ("consume_mb_s", "consume, MB/s"),
                         ("produce_hop_cpu_ms_per_mb", "produce, hop CPU ms per MB"),
                         ("consume_hop_cpu_ms_per_mb", "consume, hop CPU ms per MB")):
        cols = " | ".join(cell(summary(k(metric, mode).values()), 1) for mode in ("pod", "fwd", "pf", "pod2"))
        kubep.append(f"| {name} | {cols} | {ratio_cell(ci(metric, 'fwd', 'pod'))} | "
                     f"{ratio_cell(ci(metric, 'pf', 'pod'))} | {ratio_cell(ci(metric, 'pod2', 'pod'))} | "
                     f"{ratio_cell(ci(metric, 'fwd', 'pf'))} |")
    load = summary(series("kube", "load1", "all").values())
    if load:
        kubep.append(f"\nLoad average (1 min) as each repetition began: {cell(load)} on {meta.get('nproc')} cores.")
    if any(x[0] == "kube" and x[1].endswith("_ir_per_msg") for x in data):
        kubep.append(f"\nThe client's instructions per message (callgrind, kcat alone: {int(float(meta.get('kube_msgs', 0))) // 10:,} "
                     f"records, {meta.get('kube_ir_reps')} repetitions, median [min–max]; the pod image has no "
                     "valgrind, and pf runs the same binary as pod without kshim's hooks):\n")
        kubep.append("| step | fwd | pf | fwd ÷ pf |")
        kubep.append("|---|---|---|---|")
        for step in ("produce", "consume"):
            m = f"{step}_ir_per_msg"
            r = summary(paired(k(m, "fwd"), k(m, "pf"), lambda x, y: x / y))
            kubep.append(f"| {step} | {cell(summary(k(m, 'fwd').values()), 0)} | "
                         f"{cell(summary(k(m, 'pf').values()), 0)} | {cell(r, 3, 'x')} |")
    kubep.append("")

# ------------------------------------------------------------------ assemble
head = ["# kshim benchmark report\n",
        f"- command: `{meta.get('command')}`",
        f"- date: {meta.get('date')}; tree: {meta.get('commit')}",
        f"- machine: nproc {meta.get('nproc')}, {meta.get('cpu')}, kernel {meta.get('kernel')}, "
        f"{meta.get('glibc')}; load average {meta.get('load_start')} at the start, "
        f"{meta.get('load_end', '?')} at the end; {meta.get('other_containers')} other containers "
        f"running at the start (other people's clusters: absolute figures are noisy, compare ratios)",
        f"- run time: {meta.get('secs_total', '?')} s"
        + "".join(f", {s} {meta['secs_' + s]} s" for s in ("micro", "startup", "data", "tls", "memory", "seccomp", "instr", "kube")
                  if "secs_" + s in meta),
        "",
        "```",
        "$ free -m", *free, "```", ""]
if "secs_total" not in meta:
    done = [x for x in ("micro", "startup", "data", "tls", "memory", "seccomp", "instr") if f"secs_{x}" in meta]
    head.insert(1, "**Partial: written while the run was still going; sections finished: "
                   f"{', '.join(done) or 'none'}.**\n")
if meta.get("quick") == "1":
    head.insert(1, "**BENCH_QUICK=1 smoke pass: fewer repetitions and messages; not the figures of record.**\n")
head += ["## Goals\n", "| goal | measured: median [min–max] | verdict |", "|---|---|---|"]
head += [f"| {g} | {c} | {v} |" for g, c, v in goals]
head.append("")


def stamp(part, sec):
    """The section's own line under its heading: when it ran, on which tree, under what load."""
    if part and f"date_{sec}" in meta:
        part.insert(1, f"*Section run {meta[f'date_{sec}']} on {meta.get(f'commit_{sec}', meta.get('commit'))}, "
                       f"{meta.get(f'secs_{sec}', '?')} s; load average {meta.get(f'load_{sec}', '?')} as it began, "
                       f"{meta.get(f'load_end_{sec}', '?')} as it ended.*\n")
    return part


parts = [stamp(p, s) for p, s in ((micro, "micro"), (datap, "data"), (tlsp, "tls"), (startp, "startup"),
                                  (memp, "memory"), (scp, "seccomp"), (instrp, "instr"), (kubep, "kube"))]
with open(report, "w") as f:
    f.write("\n".join(head + sum(parts, [])) + "\n")
with open(f"{outdir}/plot_ratio.dat", "w") as f:
    f.write("# metric ab_med ab_lo ab_hi aa_med aa_lo aa_hi goal index (pair ratios, 95% interval)\n"
            + "\n".join(plot_ratio) + "\n")
with open(f"{outdir}/plot_pairs.dat", "w") as f:
    f.write("# index ratio kind (ab: int / loc, aa: loc2 / loc), one line per pair\n"
            + "\n".join(plot_pairs) + "\n")
