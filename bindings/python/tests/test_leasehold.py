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

    # An https:// server pinned by a fingerprint that is not one.
    with pytest.raises(leasehold.Error) as pin:
        leasehold.Client(servers=["https://" + server.address], vendor_keys=[server.vendor_key],
                         tls_fingerprints=["AB:CD"])
    assert pin.value.code == "invalid_tls_fingerprint"
    assert "SHA-256" in pin.value.message


def _another_key(server) -> str:
    from conftest import run
    return run("vendor", "keygen", "--out", str(server.key_file.with_name("other.key")))


def test_version_is_the_librarys():
    assert leasehold.version().count(".") == 2


def test_feature_seats_waiting_and_borrowing(server, tmp_path):
    server.add("cad", 1, "--feature", "render:1", "--feature", "export", "--max-borrow-hours", "24",
               "--tokens", "100")
    a = leasehold.Client(servers=[server.address], vendor_keys=[server.vendor_key],
                         client_id="py-a", borrow_dir=str(tmp_path / "loans"))
    b = leasehold.Client(servers=[server.address], vendor_keys=[server.vendor_key], client_id="py-b")

    seat = a.checkout("cad")
    assert seat.checkout_feature("render") == leasehold.FeatureInfo(seats=1, in_use=1)
    assert seat.checkout_feature("export").seats is None
    seat.release_feature("render")

    # b waits; releasing a's seat from another thread serves it.
    places: list[tuple[int, int]] = []

    def release_when_waiting() -> None:
        while not places:
            threading.Event().wait(0.01)
        seat.release()

    t = threading.Thread(target=release_when_waiting)
    t.start()
    waited = b.checkout_waiting("cad", timeout=20, on_place=lambda p, n: places.append((p, n)))
    t.join()
    assert places[0] == (1, 1)
    waited.release()

    # Tokens: once per key, however often it is sent.
    spent = a.consume("cad", 30, "py-job-1", note="plot")
    assert (spent.amount, spent.left, spent.replayed) == (30, 70, False)
    again = b.consume("cad", 30, "py-job-1")
    assert again.replayed and again.at == spent.at and again.left == 70
    with pytest.raises(leasehold.Error) as refused:
        a.consume("cad", 71, "py-job-2")
    assert refused.value.code == "tokens_exhausted"

    # A loan: held until it ends; given back, the seat is free.
    until = a.borrow("cad", 8)
    with a.checkout("cad") as on_loan:
        assert on_loan.info.expires_at == until
    with pytest.raises(leasehold.NoSeat):
        b.checkout("cad")
    assert a.return_borrowed("cad") == "returned"
    assert a.return_borrowed("cad") == "none"
    b.checkout("cad").release()
