"""A real lease server for the Python binding's tests: the `leasehold`
binary on loopback, port 0, stopped by its pid at the end; codes issued
with a vendor key made here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "debug"
BIN = Path(os.environ.get("LEASEHOLD_BIN", TARGET / "leasehold"))
os.environ.setdefault("LEASEHOLD_LIBRARY", str(TARGET / "libleasehold.so"))
sys.path.insert(0, str(REPO / "bindings" / "python"))


def run(*args: str) -> str:
    out = subprocess.run([str(BIN), *args], check=True, capture_output=True, text=True, timeout=60)
    return out.stdout.strip()


class Server:
    def __init__(self, tmp: Path):
        self.key_file = tmp / "vendor.key"
        self.vendor_key = run("vendor", "keygen", "--out", str(self.key_file))
        self.data = tmp / "data"
        self.process = subprocess.Popen(
            [str(BIN), "serve", "--data-dir", str(self.data), "--listen", "127.0.0.1:0",
             "--no-mdns", "--trust", self.vendor_key],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        assert self.process.stdout is not None
        self.address = self.process.stdout.readline().strip()
        assert self.address, "the server printed no address"

    def add(self, product: str, seats: int, *rules: str) -> None:
        code = run("vendor", "issue", "--key", str(self.key_file), "--product", product,
                   "--seats", str(seats), "--activation", "none", *rules)
        run("admin", "--data-dir", str(self.data), "license", "add", code)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture()
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    s = Server(tmp_path)
    monkeypatch.setenv("LEASEHOLD_SERVER", s.address)
    monkeypatch.setenv("LEASEHOLD_CLIENT_CONFIG", str(tmp_path / "client.toml"))
    monkeypatch.setenv("LEASEHOLD_VENDOR_KEY", s.vendor_key)
    yield s
    s.stop()
