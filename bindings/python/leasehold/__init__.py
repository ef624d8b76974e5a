"""Leasehold for Python: borrow a seat of a floating licence.

    import leasehold
    with leasehold.seat("Designer", vendor_key=VENDOR_KEY):   # raises leasehold.NoSeat
        ...                                                    # the seat renews itself

A thin layer over the C ABI (``include/leasehold.h``), so it behaves exactly
as the Rust SDK does: the server's licence chain is verified against the
vendor key before a seat is taken, the seat is renewed in the background and
released at the end of the ``with`` block.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable, Optional

from ._native import ffi, lib

__all__ = ["Client", "Seat", "SeatInfo", "FeatureInfo", "Error", "NoSeat", "Timeout", "seat", "version"]

_STATES = {
    lib.LH_SEAT_HELD: "held",
    lib.LH_SEAT_RECONNECTING: "reconnecting",
    lib.LH_SEAT_EXPIRING: "expiring",
    lib.LH_SEAT_LOST: "lost",
    lib.LH_SEAT_REGAINED: "regained",
    lib.LH_SEAT_RELEASED: "released",
}


class Error(Exception):
    """A failed call: ``code`` is the stable error code (e.g.
    ``untrusted_server``), the message says what to do."""

    def __init__(self, code: str, message: str, status: int = 1):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NoSeat(Error):
    """Every seat of the product is taken (``no_seat_free``)."""


class Timeout(Error):
    """The call's timeout passed first."""


def _text(chars) -> str:
    return ffi.string(chars).decode("utf-8", "replace")


def _check(status: int, err) -> None:
    if status == lib.LH_OK:
        return
    cls = {lib.LH_NO_SEAT: NoSeat, lib.LH_TIMEOUT: Timeout}.get(status, Error)
    raise cls(_text(err.code), _text(err.message), status)


def _call(fn, *args) -> None:
    err = ffi.new("lh_error *")
    _check(fn(*args, err), err)


def _b(s: str):
    return s.encode("utf-8")


def version() -> str:
    """The library's version."""
    return ffi.string(lib.lh_version()).decode()


@dataclass(frozen=True)
class SeatInfo:
    """Where a seat stands: ``state`` is held, reconnecting, expiring, lost,
    regained or released; ``usable`` whether the product may be used now."""

    state: str
    usable: bool
    lease_id: str
    expires_at: Optional[datetime]
    reason: str
    detail: str

    @classmethod
    def _from(cls, info) -> "SeatInfo":
        ms = info.expires_at_ms
        return cls(
            state=_STATES.get(info.state, "unknown"),
            usable=bool(info.usable),
            lease_id=_text(info.lease_id),
            expires_at=_until(ms),
            reason=_text(info.reason),
            detail=_text(info.detail),
        )


@dataclass(frozen=True)
class Spent:
    """A spend of consumption tokens as the server recorded it: ``over`` is
    the part beyond the balance (the token overdraft), ``left`` what was left
    of the period's balance, ``replayed`` whether the key was spent before
    (nothing more was spent)."""

    amount: int
    over: int
    left: int
    at: datetime
    replayed: bool


@dataclass(frozen=True)
class FeatureInfo:
    """A feature seat held under a seat: ``seats`` is the feature's count
    (None for a plain entitlement, not counted), ``in_use`` how many leases
    hold it now."""

    seats: Optional[int]
    in_use: int


def _until(ms: int) -> Optional[datetime]:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc) if ms else None


class Seat:
    """A held seat, renewed in the background; a context manager that
    releases it on exit."""

    def __init__(self, handle):
        self._handle = handle
        self._lock = threading.Lock()
        self._callback = None  # keeps the cffi callback alive

    def _live(self):
        if self._handle is None:
            raise Error("invalid_argument", "this seat was released")
        return self._handle

    @property
    def info(self) -> SeatInfo:
        """The seat's state now."""
        out = ffi.new("lh_seat_info *")
        _call(lib.lh_seat_poll, self._live(), out)
        return SeatInfo._from(out)

    def wait(self, timeout: float) -> Optional[SeatInfo]:
        """The next state, or None when nothing changes within ``timeout`` s."""
        out = ffi.new("lh_seat_info *")
        err = ffi.new("lh_error *")
        status = lib.lh_seat_wait(self._live(), max(1, int(timeout * 1000)), out, err)
        if status == lib.LH_TIMEOUT:
            return None
        _check(status, err)
        return SeatInfo._from(out)

    def on_change(self, fn: Optional[Callable[[SeatInfo], None]]) -> None:
        """Calls ``fn(info)`` on the seat's own library thread at every change (the last
        time with state ``released``, before release returns); None stops it."""
        if fn is None:
            _call(lib.lh_seat_on_change, self._live(), ffi.NULL, ffi.NULL)
            self._callback = None
            return

        @ffi.callback("void(const lh_seat_info *, void *)")
        def trampoline(info, _user):
            try:
                fn(SeatInfo._from(info))
            except Exception:  # an exception must not cross into the library
                pass

        _call(lib.lh_seat_on_change, self._live(), trampoline, ffi.NULL)
        self._callback = trampoline

    def checkout_feature(self, feature: str, timeout: float = 10.0) -> FeatureInfo:
        """A seat of ``feature`` under this seat's lease (``vendor issue
        --feature render:4``); it ends with the seat or ``release_feature``.
        Raises Error with code ``no_feature_seat_free`` when all are held."""
        out = ffi.new("lh_feature_info *")
        _call(lib.lh_seat_checkout_feature, self._live(), _b(feature), int(timeout * 1000), out)
        return FeatureInfo(seats=None if out.seats < 0 else int(out.seats), in_use=int(out.in_use))

    def release_feature(self, feature: str, timeout: float = 10.0) -> None:
        """Gives the seat of ``feature`` back before the seat ends."""
        _call(lib.lh_seat_release_feature, self._live(), _b(feature), int(timeout * 1000))

    def release(self, timeout: float = 10.0) -> None:
        """Releases the seat now (the server frees it at once)."""
        with self._lock:
            handle, self._handle = self._handle, None
        if handle is not None:
            _call(lib.lh_seat_release, handle, int(timeout * 1000))

    def __enter__(self) -> "Seat":
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def __del__(self):
        handle, self._handle = getattr(self, "_handle", None), None
        if handle is not None:
            lib.lh_seat_free(handle)


class Client:
    """Knows where the server is and who is asking; checks seats out."""

    def __init__(
        self,
        servers: Iterable[str] = (),
        vendor_keys: Iterable[str] = (),
        app: tuple[str, str] = ("", ""),
        standalone: Optional[str] = None,
        settings: Optional[str] = None,
        use_settings: bool = False,
        client_id: Optional[str] = None,
        user: Optional[str] = None,
        borrow_dir: Optional[str] = None,
        tls_fingerprints: Iterable[str] = (),
    ):
        builder = lib.lh_builder_new()
        try:
            for address in servers:
                _call(lib.lh_builder_server, builder, _b(address))
            for key in vendor_keys:
                _call(lib.lh_builder_vendor_key, builder, _b(key))
            for fingerprint in tls_fingerprints:
                _call(lib.lh_builder_tls_fingerprint, builder, _b(fingerprint))
            _call(lib.lh_builder_app, builder, _b(app[0]), _b(app[1]))
            if standalone is not None:
                _call(lib.lh_builder_standalone, builder, _b(standalone))
            if use_settings or settings is not None:
                _call(lib.lh_builder_settings, builder, _b(settings) if settings else ffi.NULL)
            if borrow_dir is not None:
                _call(lib.lh_builder_borrow_dir, builder, _b(borrow_dir))
            _call(
                lib.lh_builder_identity,
                builder,
                _b(client_id) if client_id else ffi.NULL,
                _b(user) if user else ffi.NULL,
            )
        except Error:
            lib.lh_builder_free(builder)
            raise
        out = ffi.new("lh_client **")
        _call(lib.lh_builder_build, builder, out)
        self._handle = ffi.gc(out[0], lib.lh_client_free)

    @classmethod
    def from_settings(cls, app_name: str, app_version: str, vendor_key: str) -> "Client":
        """From the end user's settings (standalone or network;
        ``LEASEHOLD_SERVER`` for one run): what most applications want."""
        return cls(vendor_keys=[vendor_key], app=(app_name, app_version), use_settings=True)

    def checkout(self, product: str, timeout: float = 30.0) -> Seat:
        """A seat of ``product``; raises NoSeat when every seat is taken."""
        out = ffi.new("lh_seat **")
        _call(lib.lh_checkout, self._handle, _b(product), int(timeout * 1000), out)
        return Seat(out[0])

    def checkout_waiting(
        self,
        product: str,
        timeout: Optional[float] = None,
        on_place: Optional[Callable[[int, int], None]] = None,
    ) -> Seat:
        """A seat of ``product``, waiting in the server's queue when none is
        free; ``on_place(position, waiting)`` is called (on this thread) as
        the place changes. Raises Timeout after ``timeout`` s (leaving the
        queue); None waits as long as it takes."""

        @ffi.callback("void(uint32_t, uint32_t, void *)")
        def place(position, waiting, _user):
            if on_place is not None:
                try:
                    on_place(int(position), int(waiting))
                except Exception:  # an exception must not cross into the library
                    pass

        out = ffi.new("lh_seat **")
        ms = 0 if timeout is None else max(1, int(timeout * 1000))
        _call(lib.lh_checkout_waiting, self._handle, _b(product), ms, place, ffi.NULL, out)
        return Seat(out[0])

    def borrow(self, product: str, hours: int, timeout: float = 30.0) -> datetime:
        """Borrows a seat of ``product`` for ``hours`` to work without the
        server; checkouts use it until the time returned."""
        out = ffi.new("int64_t *")
        _call(lib.lh_borrow, self._handle, _b(product), int(hours), int(timeout * 1000), out)
        until = _until(int(out[0]))
        assert until is not None
        return until

    def consume(self, product: str, amount: int, key: str, note: Optional[str] = None,
                timeout: float = 30.0) -> Spent:
        """Spends ``amount`` of ``product``'s consumption tokens under ``key``
        (one key per spend, e.g. a job id). The same key again, after any
        failure, is answered with the first spend and spends nothing more."""
        out = ffi.new("lh_spend *")
        _call(lib.lh_consume, self._handle, _b(product), int(amount), _b(key),
              ffi.NULL if note is None else _b(note), int(timeout * 1000), out)
        at = _until(int(out.at_ms))
        assert at is not None
        return Spent(int(out.amount), int(out.over), int(out.left), at, bool(out.replayed))

    def return_borrowed(self, product: str, timeout: float = 10.0) -> str:
        """Gives a borrowed seat back early: ``"returned"`` (the server has
        it), ``"pending"`` (dead here; the server hears at the next contact)
        or ``"none"`` (no loan of the product here)."""
        out = ffi.new("lh_loan_return *")
        _call(lib.lh_return, self._handle, _b(product), int(timeout * 1000), out)
        return {lib.LH_LOAN_RETURNED: "returned", lib.LH_LOAN_PENDING: "pending"}.get(out[0], "none")


def seat(
    product: str,
    vendor_key: Optional[str] = None,
    app: tuple[str, str] = ("python", ""),
    timeout: float = 30.0,
) -> Seat:
    """A seat of ``product`` from a client made from the user's settings;
    ``vendor_key`` defaults to ``$LEASEHOLD_VENDOR_KEY``. Use it as
    ``with leasehold.seat("cad"): ...``."""
    key = vendor_key if vendor_key is not None else os.environ.get("LEASEHOLD_VENDOR_KEY", "")
    return Client.from_settings(app[0], app[1], key).checkout(product, timeout)
