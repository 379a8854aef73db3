"""Peak memory of a benchmark's child process, read so that its parent's does not count.

Linux carries ``ru_maxrss`` over fork and exec, so a child started by a large benchmark process
would report at least the parent's peak. ``VmHWM`` in ``/proc/self/status`` belongs to the
process's own address space, made new by exec. ``PEAK_MB_SOURCE`` is the function as source, to
put at the top of the scripts the benchmarks run with ``python -c``.
"""

from __future__ import annotations

PEAK_MB_SOURCE = '''
def peak_mb():
    """This process's peak resident memory in MB (since its exec, where /proc tells)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
'''
