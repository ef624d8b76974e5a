/*
 * Holds a seat of PRODUCT for LEASEHOLD_HOLD_SECS seconds (default 1), then
 * releases it. The server comes from the user's settings, or
 * LEASEHOLD_SERVER=host:port; the vendor key from LEASEHOLD_VENDOR_KEY
 * (compile yours in). Exit 0 when done, 3 when no seat is free, 1 with the
 * error's code and message on stderr otherwise.
 *
 *   gcc checkout.c -I include -L DIR -lleasehold -o checkout
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "leasehold.h"

static int fail(const lh_error *err) {
    fprintf(stderr, "%s: %s\n", err->code, err->message);
    return err->status == LH_NO_SEAT ? 3 : 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PRODUCT\n", argv[0]);
        return 1;
    }
    const char *key = getenv("LEASEHOLD_VENDOR_KEY");
    const char *hold = getenv("LEASEHOLD_HOLD_SECS");
    lh_error err;
    lh_client *client = NULL;
    if (lh_client_from_settings("checkout-c", "1.0", key ? key : "", &client, &err) != LH_OK) {
        return fail(&err);
    }
    lh_seat *seat = NULL;
    if (lh_checkout(client, argv[1], 30000, &seat, &err) != LH_OK) {
        lh_client_free(client);
        return fail(&err);
    }
    lh_seat_info info;
    lh_seat_poll(seat, &info, NULL);
    printf("holding %s (lease %s)\n", argv[1], info.lease_id);
    fflush(stdout);
    sleep(hold ? (unsigned)atoi(hold) : 1);
    int rc = lh_seat_release(seat, 10000, &err) == LH_OK ? 0 : fail(&err);
    lh_client_free(client);
    return rc;
}
