#!/usr/bin/env python3
"""Browses `_leasehold._tcp.local.` with python-zeroconf, an independent DNS-SD
implementation, and prints what it resolved as one JSON object on stdout.

Used by `tests/netns_interop.rs`, always inside a private network namespace.

    browse.py [--timeout SECS] [--first] [--want-address IP] [--raw-ptr]

--timeout       browse at most this long (default 3 s)
--first         stop 0.5 s after the first service is resolved
--want-address  stop as soon as a service lists this address
--raw-ptr       also send one legacy unicast PTR query (RFC 6762 §6.7) over
                loopback and report the instance labels exactly as on the
                wire ("ptr_labels"), since zeroconf joins labels with dots

Output: {"services": [{"instance", "fullname", "server", "port",
"txt": {key: value}, "txt_strings": [raw strings in wire order],
"addresses": [...]}], "elapsed_ms": N, "ptr_labels": [[label, ...]]}. A missing `zeroconf` package is an
error (exit 3), never an empty result.
"""

import argparse
import json
import socket
import struct
import sys
import threading
import time

try:
    from zeroconf import IPVersion, ServiceBrowser, ServiceStateChange, Zeroconf
except ImportError as e:  # the test must fail, not pass on an empty list
    print(f"browse.py: python zeroconf is not installed ({e}); run scripts/setup.sh", file=sys.stderr)
    sys.exit(3)

SERVICE_TYPE = "_leasehold._tcp.local."
SETTLE = 0.5


def txt_strings(raw):
    """The TXT rdata as its length-prefixed strings, in order (RFC 6763 §6.1)."""
    out, i = [], 0
    raw = raw or b""
    while i < len(raw):
        n = raw[i]
        out.append(raw[i + 1 : i + 1 + n].decode("utf-8", "replace"))
        i += 1 + n
    return out


def read_labels(msg, off):
    """The labels of the DNS name at `off` (following compression) and the
    offset after it."""
    labels, end = [], None
    for _ in range(128):
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            continue
        off += 1
        if n == 0:
            return labels, (end if end is not None else off)
        labels.append(msg[off : off + n].decode("utf-8", "replace"))
        off += n
    raise ValueError("name compression loop")


def raw_ptr_labels(wait):
    """Asks for PTR records of SERVICE_TYPE from an ephemeral port on
    loopback; responders answer such a legacy query by unicast. Returns each
    PTR target's labels."""
    qname = b"".join(bytes([len(l)]) + l.encode() for l in SERVICE_TYPE.split(".") if l) + b"\0"
    query = struct.pack("!HHHHHH", 0x4C48, 0, 1, 0, 0, 0) + qname + struct.pack("!HH", 12, 1)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
    sock.bind(("127.0.0.1", 0))
    sock.sendto(query, ("224.0.0.251", 5353))
    sock.settimeout(wait)
    targets = []
    try:
        msg, _ = sock.recvfrom(9000)
    except socket.timeout:
        return targets
    finally:
        sock.close()
    _, _, qd, an, _, _ = struct.unpack("!HHHHHH", msg[:12])
    off = 12
    for _ in range(qd):
        _, off = read_labels(msg, off)
        off += 4
    for _ in range(an):
        _, off = read_labels(msg, off)
        rtype, _, _, rdlen = struct.unpack("!HHIH", msg[off : off + 10])
        off += 10
        if rtype == 12:
            targets.append(read_labels(msg, off)[0])
        off += rdlen
    return targets


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--first", action="store_true")
    ap.add_argument("--want-address")
    ap.add_argument("--raw-ptr", action="store_true")
    args = ap.parse_args()

    started = time.monotonic()
    deadline = started + args.timeout
    found = {}
    lock = threading.Lock()
    done = threading.Event()
    first_at = []

    zc = Zeroconf(ip_version=IPVersion.V4Only)

    def resolve(name):
        info = zc.get_service_info(SERVICE_TYPE, name, timeout=1000)
        if info is None:
            return
        suffix = "." + SERVICE_TYPE
        instance = name[: -len(suffix)] if name.endswith(suffix) else name
        addresses = sorted(set(info.parsed_addresses()))
        entry = {
            "instance": instance,
            "fullname": name,
            "server": info.server,
            "port": info.port,
            "txt": {
                k.decode("utf-8", "replace"): (None if v is None else v.decode("utf-8", "replace"))
                for k, v in (info.properties or {}).items()
            },
            "txt_strings": txt_strings(info.text),
            "addresses": addresses,
        }
        with lock:
            found[name] = entry
            if not first_at:
                first_at.append(time.monotonic())
        if args.want_address and args.want_address in addresses:
            done.set()

    def on_change(zeroconf, service_type, name, state_change):
        if state_change in (ServiceStateChange.Added, ServiceStateChange.Updated):
            threading.Thread(target=resolve, args=(name,), daemon=True).start()
        elif state_change is ServiceStateChange.Removed:
            with lock:
                found.pop(name, None)

    browser = ServiceBrowser(zc, SERVICE_TYPE, handlers=[on_change])
    try:
        while time.monotonic() < deadline and not done.is_set():
            with lock:
                if args.first and first_at and time.monotonic() - first_at[0] >= SETTLE:
                    break
            done.wait(0.05)
    finally:
        browser.cancel()
        with lock:
            services = sorted(found.values(), key=lambda s: s["instance"])
        zc.close()

    result = {"services": services, "elapsed_ms": int((time.monotonic() - started) * 1000)}
    if args.raw_ptr:
        result["ptr_labels"] = raw_ptr_labels(1.0)
    json.dump(
        result,
        sys.stdout,
        ensure_ascii=False,
    )
    print()


if __name__ == "__main__":
    main()
