"""The floor in a Python process: floor.c's own call (bench/pyfloor,
built as a shared library) made from Python through ctypes, one foreign
call per plugin call, timed by benchlib's loop as the Python binding is.
What it costs over the floor is what the interpreter alone adds to a
plugin call started from C, the yardstick for the binding's ratio.

    python py_floor.py LIBPYFLOOR.so FLAGS...   (protocol: bench/benchlib.py)
"""

from __future__ import annotations

import ctypes
import sys

import benchlib


def main() -> None:
    lib_path, flags = sys.argv[1], sys.argv[2:]
    sys.argv[1:] = flags
    opts = benchlib.parse()
    lib = ctypes.CDLL(lib_path)
    # The C side parses the same flags, so both ends run the same workload.
    argv = (ctypes.c_char_p * (len(flags) + 2))(b"py-floor", *(f.encode() for f in flags), None)
    lib.pyfloor_setup(len(flags) + 1, argv)
    floor_call = lib.pyfloor_call
    floor_call.argtypes = [ctypes.POINTER(ctypes.c_uint64)]
    floor_call.restype = ctypes.c_int
    cancel_ns = ctypes.c_uint64(0)
    cancel_ref = ctypes.byref(cancel_ns)

    def call() -> int | None:
        if floor_call(cancel_ref) != 0:
            raise RuntimeError(f"the floor's {opts.workload} call failed")
        return cancel_ns.value if opts.workload == "cancel" else None

    benchlib.run("py-floor", opts, call)


if __name__ == "__main__":
    main()
