"""Query workers that cannot reach the network, whatever a query asks for.

The checked door (:mod:`gpai_kg.gate`) refuses ``SERVICE`` calls outside the allow-list. This
is the second wall, for the day a parser disagreement gets a query past the first: the kernel
itself refuses the worker's network access.

* :func:`confine` with no endpoints: a seccomp filter lets the worker create Unix sockets only
  (its pipe to the web process is one; it was opened before). ``socket(AF_INET…)`` fails with
  EACCES, and io_uring (which could open sockets without the ``socket`` call) is refused.
* With endpoints (federation on): Internet sockets are allowed, and Landlock (Linux 6.7+)
  restricts TCP connections to the endpoints' ports; which hosts they go to is the door's
  allow-list.

Both are set after the worker's fork and before it opens the store, and bind every thread the
worker starts afterwards. :func:`confine` reports what it could set; a kernel without seccomp
leaves the door as the only wall, and the service says so at start-up and in ``/health``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform
import signal
import socket
from urllib.parse import urlsplit

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
EACCES = 13

# BPF instructions (linux/filter.h)
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_RET_K = 0x06
_JA = 0x05
_NR, _ARCH, _ARG0 = 0, 4, 16  # offsets in struct seccomp_data (little-endian low word of args[0])

#: Per machine: audit arch, syscall numbers, and whether x32 syscalls must be refused.
_MACHINES = {
    "x86_64": (0xC000003E, {"socket": 41, "socketpair": 53, "io_uring_setup": 425}, True),
    "aarch64": (0xC00000B7, {"socket": 198, "socketpair": 199, "io_uring_setup": 425}, False),
}
_LANDLOCK = {"create_ruleset": 444, "add_rule": 445, "restrict_self": 446}  # the same on both
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_ACCESS_NET_BIND_TCP, LANDLOCK_ACCESS_NET_CONNECT_TCP = 1, 2
LANDLOCK_RULE_NET_PORT = 2

LOCAL_ONLY = (socket.AF_UNIX,)
WITH_INTERNET = (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK)


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def seccomp_program(families: tuple[int, ...], machine: str | None = None) -> list[tuple[int, int, int, int]]:
    """The BPF program allowing sockets of ``families`` only (and no io_uring, no foreign ABI).

    >>> program = seccomp_program(LOCAL_ONLY, "x86_64")
    >>> program[-1] == (_RET_K, 0, 0, SECCOMP_RET_ERRNO | EACCES), len(program)
    (True, 11)
    """
    arch, numbers, x32 = _MACHINES[machine or platform.machine()]
    deny, allow = ("ret", SECCOMP_RET_ERRNO | EACCES), ("ret", SECCOMP_RET_ALLOW)
    # Written with labels, resolved into jump offsets below.
    code = [("ld", _ARCH), ("jne", arch, "deny"), ("ld", _NR)]
    if x32:
        code.append(("jge", 0x40000000, "deny"))
    code += [("jeq", numbers["io_uring_setup"], "deny"), ("jne", numbers["socket"], "allow"), ("ld", _ARG0)]
    code += [("jeq", family, "allow") for family in families]
    code += [("goto", "deny"), ("label", "allow"), allow, ("label", "deny"), deny]
    labels, position = {}, 0
    for op in code:
        if op[0] == "label":
            labels[op[1]] = position
        else:
            position += 1
    program, index = [], 0
    for op in code:
        if op[0] == "label":
            continue
        here = index + 1  # jumps count from the next instruction
        if op[0] == "ld":
            program.append((_LD_W_ABS, 0, 0, op[1]))
        elif op[0] == "jeq":
            program.append((_JEQ_K, labels[op[2]] - here, 0, op[1]))
        elif op[0] == "jne":
            program.append((_JEQ_K, 0, labels[op[2]] - here, op[1]))
        elif op[0] == "jge":
            program.append((_JGE_K, labels[op[2]] - here, 0, op[1]))
        elif op[0] == "goto":
            program.append((_JA, 0, 0, labels[op[1]] - here))
        else:
            program.append((_RET_K, 0, 0, op[1]))
        index += 1
    return program


def _install(program: list[tuple[int, int, int, int]]) -> None:
    libc = _libc()
    filters = (_Filter * len(program))(*[_Filter(*op) for op in program])
    prog = _Program(len(program), filters)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")


def _landlock_ports(ports: set[int]) -> str:
    """Restrict TCP connections to ``ports``; what was set, or why not."""
    libc = _libc()
    syscall = libc.syscall
    syscall.restype = ctypes.c_long
    abi = syscall(_LANDLOCK["create_ruleset"], None, ctypes.c_size_t(0), ctypes.c_uint(LANDLOCK_CREATE_RULESET_VERSION))
    if abi < 4:
        return "no Landlock network rules in this kernel (Linux 6.7+ has them): ports not restricted"
    handled = LANDLOCK_ACCESS_NET_BIND_TCP | LANDLOCK_ACCESS_NET_CONNECT_TCP
    attr = (ctypes.c_uint64 * 2)(0, handled)  # handled_access_fs, handled_access_net
    ruleset = syscall(_LANDLOCK["create_ruleset"], ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)),
                      ctypes.c_uint(0))
    if ruleset < 0:
        return f"Landlock refused a ruleset (errno {ctypes.get_errno()}): ports not restricted"
    for port in sorted(ports):
        rule = (ctypes.c_uint64 * 2)(LANDLOCK_ACCESS_NET_CONNECT_TCP, port)
        if syscall(_LANDLOCK["add_rule"], ruleset, ctypes.c_uint(LANDLOCK_RULE_NET_PORT), ctypes.byref(rule),
                    ctypes.c_uint(0)) != 0:
            return f"Landlock refused a rule for port {port}: ports not restricted"
    if syscall(_LANDLOCK["restrict_self"], ruleset, ctypes.c_uint(0)) != 0:
        return "Landlock could not be applied: ports not restricted"
    return "TCP connections to ports " + ", ".join(map(str, sorted(ports))) + " only (Landlock)"


def endpoint_ports(endpoints: tuple[str, ...]) -> set[int]:
    """The TCP ports of http(s) endpoints (and 53 for name lookups that fall back to TCP)."""
    ports = {53}
    for url in endpoints:
        parts = urlsplit(url)
        ports.add(parts.port or (443 if parts.scheme == "https" else 80))
    return ports


def die_with_parent(expected_parent: int | None) -> None:
    """Ask the kernel for SIGKILL when the parent thread ends, and exit at once if the parent is gone."""
    if platform.system() != "Linux":
        return
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if expected_parent is not None and os.getppid() != expected_parent:
        os._exit(0)  # the parent died before the request took effect


def confine(endpoints: tuple[str, ...] = ()) -> str:
    """Confine this process (and the threads it starts later); a sentence saying how."""
    if platform.system() != "Linux" or platform.machine() not in _MACHINES:
        return f"not confined: no seccomp filter for {platform.system()} {platform.machine()}"
    try:
        if not endpoints:
            _install(seccomp_program(LOCAL_ONLY))
            return "no network (seccomp: Unix sockets only)"
        ports = _landlock_ports(endpoint_ports(endpoints))
        _install(seccomp_program(WITH_INTERNET))
        return f"network for federation: {ports}"
    except OSError as exc:
        return f"not confined: {exc}"


__all__ = ["confine", "die_with_parent", "endpoint_ports", "seccomp_program", "LOCAL_ONLY", "WITH_INTERNET"]
