"""The import's own figures (R-8.5): the median of 5 `import_directory` runs of the bench's
25k-user data into fresh tenants, and the peak RSS growth of one import (VmHWM after it minus
VmRSS before it, the data already built) with what stays (RssAnon growth, the tenant kept).

    python benches/import_time.py        # after `maturin develop --release`
"""
import gc
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import bench  # noqa: E402
import ssgm  # noqa: E402

def status(key):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith(key + ":"))

data = bench.generate(bench.make_config(25_000, False))
ssgm.Tenant("warm").import_directory(bench.generate(bench.make_config(10, True)))
anon0 = bench.rss_bytes()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # resets VmHWM to the current RSS
rss0 = status("VmRSS")
kept = ssgm.Tenant("t"); kept.import_directory(data)
peak = status("VmHWM") - rss0
anon1 = bench.rss_bytes()
times = []
for _ in range(5):
    t = ssgm.Tenant("t")
    s = time.perf_counter(); t.import_directory(data); times.append(time.perf_counter() - s)
    del t; gc.collect()
print(f"import_directory 25k users: median {statistics.median(times)*1000:.1f} ms "
      f"(runs {', '.join(f'{x*1000:.0f}' for x in times)} ms); peak RSS growth {peak/2**20:.1f} MiB; "
      f"kept {(anon1-anon0)/2**20:.1f} MiB")
