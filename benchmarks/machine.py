"""Describe the machine the benchmarks ran on.

Run as a worker (``python benchmarks/machine.py``), it prints the versions
of TensorFlow, Keras, NumPy and OpenCV and the GPUs that TensorFlow finds.
It runs in its own process because importing TensorFlow in the main
benchmark process would keep that process large for the rest of the run.
"""

import os
import platform
import subprocess
import sys
from pathlib import Path

from common import print_result, run_worker

# CPU features that decide which speed-ups are available: bfloat16
# arithmetic in hardware (AVX-512 BF16 or AMX) and the wide vector units
# that oneDNN uses for float32.
NOTABLE_CPU_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")


def cpu_model():
    """Return the CPU's model name, or the architecture if it is unknown."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    if sys.platform == "darwin":
        completed = subprocess.run(
            ["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True
        )
        if completed.returncode == 0 and completed.stdout.strip():
            return completed.stdout.strip()
    return platform.processor() or platform.machine()


def cpu_flags():
    """Return the notable CPU flags that /proc/cpuinfo lists (empty elsewhere)."""
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.is_file():
        return []
    for line in cpuinfo.read_text().splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            return [flag for flag in NOTABLE_CPU_FLAGS if flag in flags]
    return []


def has_bfloat16_cpu():
    """Return True if the CPU does bfloat16 arithmetic in hardware."""
    return any(flag in cpu_flags() for flag in ("avx512_bf16", "amx_bf16"))


def usable_cpu_count():
    """Return the number of CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


def memory_gib():
    """Return the machine's physical memory in GiB, or None if unknown."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    except (ValueError, OSError, AttributeError):
        return None


def load_average():
    """Return the 1-minute load average, or None where the OS has none."""
    try:
        return os.getloadavg()[0]
    except (OSError, AttributeError):
        return None


def library_versions():
    """Return the library versions and GPUs, measured in a worker process."""
    return run_worker("machine.py", [], timeout=300)


def describe_machine():
    """Return a dict describing this machine and the library versions."""
    memory = memory_gib()
    description = {
        "CPU": cpu_model(),
        "CPU cores usable": usable_cpu_count(),
        "CPU features": ", ".join(cpu_flags()) or "unknown",
        "RAM": f"{memory:.1f} GiB" if memory else "unknown",
        "OS": platform.platform(),
        "Python": platform.python_version(),
    }
    description.update(library_versions())
    return description


def main():
    import cv2
    import keras
    import numpy as np
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    gpu_names = []
    for gpu in gpus:
        details = tf.config.experimental.get_device_details(gpu)
        gpu_names.append(details.get("device_name", gpu.name))
    print_result({
        "TensorFlow": tf.__version__,
        "Keras": keras.__version__,
        "NumPy": np.__version__,
        "OpenCV": cv2.__version__,
        "GPU": ", ".join(gpu_names) or "none",
    })


if __name__ == "__main__":
    main()
