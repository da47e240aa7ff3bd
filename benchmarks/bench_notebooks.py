"""Execute every notebook in a fresh kernel; print its run time and the kernel's peak RSS.

Goals (issue 5), on this 2-core machine: <= 30 s each, <= 150 s in all, <= 400 MB peak
kernel RSS each (a Binder session has about 1-2 GB). Run: make bench
"""
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def peak_rss_mb(pid):
    """The high-water mark of a process's resident memory (Linux /proc), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc: this script needs Linux")


total = 0.0
print(f"{'notebook':32s} {'time s':>7s} {'peak RSS MB':>12s}")
for path in NOTEBOOKS:
    nb = nbformat.read(path, as_version=4)
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(path.parent))
    try:
        t0 = time.perf_counter()
        NotebookClient(nb, km=km, timeout=600).execute()
        elapsed = time.perf_counter() - t0
        rss = peak_rss_mb(km.provisioner.process.pid)
    finally:
        km.shutdown_kernel(now=True)
    total += elapsed
    flags = ("" if elapsed <= 30 else "  > 30 s!") + ("" if rss <= 400 else "  > 400 MB!")
    print(f"{path.name:32s} {elapsed:7.1f} {rss:12.0f}{flags}")
print(f"{'all':32s} {total:7.1f}   (goals: <= 30 s and <= 400 MB each, <= 150 s in all)")
