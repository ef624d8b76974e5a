"""The Python binding against a real server: a seat in a `with` block,
its state, waiting and callbacks, and every refusal as its own exception
with the stable code."""

from __future__ import annotations

import threading

import pytest

import leasehold


def test_a_seat_is_held_in_a_with_block_and_released_after(server):
    server.add("cad", 1)
    with leasehold.seat("cad") as seat:
        info = seat.info
        assert info.state == "held" and info.usable
        assert len(info.lease_id) == 36
        assert info.expires_at is not None
        # The one seat is taken meanwhile: NoSeat, with its code.
        with pytest.raises(leasehold.NoSeat) as taken:
            leasehold.Client(servers=[server.address], vendor_keys=[server.vendor_key],
                             client_id="someone-else").checkout("cad")
        assert taken.value.code == "no_seat_free"
        # Nothing changes within 50 ms.
        assert seat.wait(0.05) is None
    # Released: free for the other computer now.
    other = leasehold.Client(servers=[server.address], vendor_keys=[server.vendor_key],
                             client_id="someone-else").checkout("cad")
    other.release()
    with pytest.raises(leasehold.Error) as gone:
        _ = seat.info
    assert gone.value.code == "invalid_argument"


def test_the_callback_sees_the_release(server):
    server.add("cad", 1)
    seen: list[str] = []
    done = threading.Event()

    def changed(info: leasehold.SeatInfo) -> None:
        seen.append(info.state)
        done.set()

    seat = leasehold.seat("cad")
    seat.on_change(changed)
    seat.release()
    assert done.is_set(), "the callback ran before release returned"
    assert seen == ["released"]


def test_refusals_carry_their_codes(server, monkeypatch):
    server.add("cad", 1)
    with pytest.raises(leasehold.Error) as unknown:
        leasehold.seat("nothing")
    assert unknown.value.code == "no_license_for_product"
    assert "nothing" in unknown.value.message

    # The application trusts another vendor: the server's chain does not verify.
    monkeypatch.setenv("LEASEHOLD_VENDOR_KEY", _another_key(server))
    with pytest.raises(leasehold.Error) as untrusted:
        leasehold.seat("cad")
    assert untrusted.value.code == "untrusted_server"

    with pytest.raises(leasehold.Error) as bad:
        leasehold.Client(servers=["127.0.0.1:9"], vendor_keys=["not a key"])
    assert bad.value.code == "bad_public_key"


def _another_key(server) -> str:
    from conftest import run
    return run("vendor", "keygen", "--out", str(server.key_file.with_name("other.key")))


def test_version_is_the_librarys():
    assert leasehold.version().count(".") == 2
