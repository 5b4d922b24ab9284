"""The hsbench binary the Python tests run: $HSBENCH_BIN (ctest sets it),
else the newest build/*/bin/hsbench."""
import glob
import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def find_hsbench(accepts=None):
    """$HSBENCH_BIN, else the built hsbench binaries newest first: the first
    for which accepts(path) is true (any, without accepts); None if none."""
    path = os.environ.get("HSBENCH_BIN")
    found = [path] if path else sorted(
        (p for p in glob.glob(os.path.join(ROOT, "build", "*", "bin", "hsbench"))
         if os.access(p, os.X_OK)), key=os.path.getmtime, reverse=True)
    for p in found:
        if accepts is None or accepts(p):
            return p
    return None
