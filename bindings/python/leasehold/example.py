"""Holds a seat of PRODUCT for LEASEHOLD_HOLD_SECS seconds (default 1), then
releases it: ``python3 -m leasehold.example PRODUCT``. The same behaviour as
every other language's example: exit 0, 3 when no seat is free, 1 with the
error's code and message on stderr otherwise."""

import os
import sys
import time

import leasehold


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(f"usage: python3 -m leasehold.example PRODUCT", file=sys.stderr)
        return 1
    product = argv[1]
    try:
        with leasehold.seat(product, app=("checkout-python", "1.0")) as seat:
            print(f"holding {product} (lease {seat.info.lease_id})", flush=True)
            time.sleep(float(os.environ.get("LEASEHOLD_HOLD_SECS", "1")))
        return 0
    except leasehold.NoSeat as e:
        print(e, file=sys.stderr)
        return 3
    except leasehold.Error as e:
        print(e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
