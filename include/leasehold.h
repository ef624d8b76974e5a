/*
 * Leasehold: the C ABI of the Leasehold SDK. GENERATED from
 * crates/leasehold-ffi by cbindgen (scripts/gen-header.sh): do not edit.
 *
 * Every function returns an lh_status and fills the caller's lh_error (when
 * not NULL) with a stable error code and a message. Strings are UTF-8 and
 * NUL-terminated; the library keeps none of the caller's. Handles are made
 * and freed only by the library: lh_builder_free (or lh_builder_build),
 * lh_client_free, lh_seat_release (or lh_seat_free). Nothing else needs
 * freeing. Every function may be called from any thread; blocking ones take
 * a timeout in milliseconds (0: the SDK's own limits). No blocking call from
 * a seat callback.
 */

#ifndef LEASEHOLD_H
#define LEASEHOLD_H

#include <stdbool.h>
#include <stdint.h>

/*
 Longest error code written, with its NUL.
 */
#define LH_CODE_LEN 64

/*
 Longest error message written, with its NUL (a longer one is cut at a
 character boundary).
 */
#define LH_MESSAGE_LEN 1024

/*
 What a call did.
 */
typedef enum lh_status {
  /*
   Done.
   */
  LH_OK = 0,
  /*
   Failed: the error's code and message say why.
   */
  LH_ERROR = 1,
  /*
   A null handle or string, or text that is not UTF-8.
   */
  LH_INVALID_ARGUMENT = 2,
  /*
   Every seat of the product is taken (code `no_seat_free`).
   */
  LH_NO_SEAT = 3,
  /*
   The timeout passed first (code `timeout`).
   */
  LH_TIMEOUT = 4,
  /*
   A bug in the library; the message says where.
   */
  LH_INTERNAL = 5,
} lh_status;

/*
 Where a seat stands.
 */
typedef enum lh_seat_state {
  /*
   Held and renewed on time.
   */
  LH_SEAT_HELD = 1,
  /*
   The server did not answer the last renewal; the lease stays valid
   until `expires_at_ms` and the library keeps trying.
   */
  LH_SEAT_RECONNECTING = 2,
  /*
   The server will not renew (licence over-subscribed): the lease ends
   at `expires_at_ms` unless a renewal succeeds before.
   */
  LH_SEAT_EXPIRING = 3,
  /*
   No seat is held (`reason` says why); the library keeps trying to get
   one again.
   */
  LH_SEAT_LOST = 4,
  /*
   Held again after it was lost (`reason` says why it was).
   */
  LH_SEAT_REGAINED = 5,
  /*
   Released; nothing more happens.
   */
  LH_SEAT_RELEASED = 6,
} lh_seat_state;

/*
 What giving a loan back did.
 */
typedef enum lh_loan_return {
  /*
   The server has the seat back.
   */
  LH_LOAN_RETURNED = 1,
  /*
   Dead on this computer; the server hears at the next contact.
   */
  LH_LOAN_PENDING = 2,
  /*
   This computer holds no loan of the product.
   */
  LH_LOAN_NONE = 3,
} lh_loan_return;

/*
 Collects what a client needs; made by [`lh_builder_new`], consumed by
 [`lh_builder_build`] or freed by [`lh_builder_free`].
 */
typedef struct lh_builder lh_builder;

/*
 Knows where the server is and who is asking; checks seats out. Made by
 [`lh_client_from_settings`] or [`lh_builder_build`], freed by
 [`lh_client_free`] (seats checked out stay valid).
 */
typedef struct lh_client lh_client;

/*
 A held seat. Made by [`crate::lh_checkout`], released and freed by
 [`lh_seat_release`] (or [`lh_seat_free`]).
 */
typedef struct lh_seat lh_seat;

/*
 A seat's state, written by the library into the caller's struct.
 */
typedef struct lh_seat_info {
  enum lh_seat_state state;
  /*
   Whether the application may use the product now (held, reconnecting,
   expiring or regained).
   */
  bool usable;
  /*
   The lease id (empty when none is held, or in standalone mode).
   */
  char lease_id[40];
  /*
   Until when the lease (or the standalone licence) is valid, Unix ms;
   0 when none or unlimited.
   */
  int64_t expires_at_ms;
  /*
   Lost / regained: why the seat was lost, a stable code
   (`lease_expired`, `timed_out`, `untrusted_server`, …); else empty.
   */
  char reason[64];
  /*
   Reconnecting: the last error, for people; else empty.
   */
  char detail[256];
} lh_seat_info;

/*
 Called at every change of a seat's state (see [`lh_seat_on_change`]).
 NULL stops the callbacks.
 */
typedef void (*lh_seat_callback)(const struct lh_seat_info *info, void *user_data);

/*
 An error, filled by the call that failed (and cleared by one that
 succeeded). Owned by the caller; nothing in it needs freeing.
 */
typedef struct lh_error {
  enum lh_status status;
  /*
   The stable error code, e.g. `no_seat_free`; empty on success.
   */
  char code[LH_CODE_LEN];
  /*
   What went wrong and what to do, for people.
   */
  char message[LH_MESSAGE_LEN];
} lh_error;

/*
 Called with the place in the queue (1 = next) and how many wait,
 whenever it changes; on the thread that called
 [`lh_checkout_waiting`].
 */
typedef void (*lh_place_fn)(uint32_t position, uint32_t waiting, void *user_data);

/*
 A feature seat, written by the library into the caller's struct.
 */
typedef struct lh_feature_info {
  /*
   The feature's seats now; -1 for a plain entitlement (not counted:
   every seat of the product has it), or on a standalone or borrowed
   seat.
   */
  int64_t seats;
  /*
   Leases holding the feature now, this one included (0 when plain).
   */
  uint32_t in_use;
} lh_feature_info;

/*
 A spend as the server recorded it (the first one, when the key was
 spent before).
 */
typedef struct lh_spend {
  uint64_t amount;
  /*
   Of `amount`: units beyond the balance (the token overdraft).
   */
  uint64_t over;
  /*
   Units of the period's balance left right after the spend.
   */
  uint64_t left;
  /*
   When it was spent (Unix ms, the server's clock).
   */
  int64_t at_ms;
  /*
   The key was spent before: this is the first spend, nothing more was
   spent now.
   */
  bool replayed;
} lh_spend;

#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

/*
 The library's version, e.g. `0.1.0`. A static string: do not free it.
 */
const char *lh_version(void);

/*
 Calls `callback(info, user_data)` at every change of the seat's state, the
 last time with `LH_SEAT_RELEASED`, until another callback (or null) is
 set. It runs on a thread of the library's made for this seat (named
 `leasehold-callback`), which ends with the seat: a slow callback holds up
 nothing but later callbacks, and it may make any Leasehold call. When
 `lh_seat_release`, `lh_seat_free` or `lh_seat_on_change` returns, the
 callback set before is not running and will not run again (called from
 the callback itself, they return without waiting for it). `info` is
 valid only during the call; `user_data` must be usable from that thread.

 # Safety
 `seat` a live seat; `err` null or writable.
 */
enum lh_status lh_seat_on_change(const struct lh_seat *seat,
                                 lh_seat_callback callback,
                                 void *user_data,
                                 struct lh_error *err);

/*
 A new, empty builder. Free it with [`lh_builder_free`] unless
 [`lh_builder_build`] consumed it.
 */
struct lh_builder *lh_builder_new(void);

/*
 Frees a builder not consumed by [`lh_builder_build`]. Null is ignored.

 # Safety
 `builder` is null or from [`lh_builder_new`], not freed before.
 */
void lh_builder_free(struct lh_builder *builder);

/*
 Adds a server address (`host:port`, or `https://host:port` over TLS) to
 try, after any added before.

 # Safety
 `builder` is a live builder; `address` a NUL-terminated string; `err`
 null or writable.
 */
enum lh_status lh_builder_server(struct lh_builder *builder,
                                 const char *address,
                                 struct lh_error *err);

/*
 Trusts the `https://` server whose certificate has this SHA-256
 fingerprint (`AB:CD:…`, as `leasehold admin status` shows it), whatever
 its names or issuer: how a server that made its own certificate is
 reached over TLS. Repeatable (one per server); without any, `https://`
 servers need a certificate the system trusts. A fingerprint that is not
 one fails at [`lh_builder_build`] (`invalid_tls_fingerprint`).

 # Safety
 As [`lh_builder_server`].
 */
enum lh_status lh_builder_tls_fingerprint(struct lh_builder *builder,
                                          const char *fingerprint,
                                          struct lh_error *err);

/*
 Adds a vendor public key (`LHPK-…`) the application trusts: a server must
 show a licence signed with it (and activated for that server), and a
 standalone licence file must be signed with it. Repeatable; compile your
 key into the application.

 # Safety
 As [`lh_builder_server`].
 */
enum lh_status lh_builder_vendor_key(struct lh_builder *builder,
                                     const char *key,
                                     struct lh_error *err);

/*
 The application's name and version, shown to the admin.

 # Safety
 As [`lh_builder_server`].
 */
enum lh_status lh_builder_app(struct lh_builder *builder,
                              const char *name,
                              const char *version,
                              struct lh_error *err);

/*
 Standalone mode: checkouts verify this node-locked licence file instead
 of asking a server.

 # Safety
 As [`lh_builder_server`].
 */
enum lh_status lh_builder_standalone(struct lh_builder *builder,
                                     const char *license_file,
                                     struct lh_error *err);

/*
 Follow the end user's settings (standalone or network, as `leasehold
 client mode` and the desktop app's License Mode tab set them): `path`,
 or null for the default file.

 # Safety
 As [`lh_builder_server`]; `path` may be null.
 */
enum lh_status lh_builder_settings(struct lh_builder *builder,
                                   const char *path,
                                   struct lh_error *err);

/*
 Overrides the client id (default: this machine's id) or the user
 (default: the login name); null leaves the default.

 # Safety
 As [`lh_builder_server`]; either string may be null.
 */
enum lh_status lh_builder_identity(struct lh_builder *builder,
                                   const char *client_id,
                                   const char *user,
                                   struct lh_error *err);

/*
 Where this computer keeps borrowed seats (`lh_borrow`); by default
 `borrows/` next to the client settings.

 # Safety
 As [`lh_builder_server`].
 */
enum lh_status lh_builder_borrow_dir(struct lh_builder *builder,
                                     const char *dir,
                                     struct lh_error *err);

/*
 Makes the client and frees the builder (also when it fails).

 # Safety
 `builder` is a live builder (not used after this call); `out` a writable
 pointer; `err` null or writable.
 */
enum lh_status lh_builder_build(struct lh_builder *builder,
                                struct lh_client **out,
                                struct lh_error *err);

/*
 A client from the end user's settings in one call: what most
 applications want. `vendor_key` is your public key (`LHPK-…`).

 # Safety
 Strings NUL-terminated; `out` writable; `err` null or writable.
 */
enum lh_status lh_client_from_settings(const char *app_name,
                                       const char *app_version,
                                       const char *vendor_key,
                                       struct lh_client **out,
                                       struct lh_error *err);

/*
 Frees a client. Seats it checked out stay valid. Null is ignored.

 # Safety
 `client` is null or a live client, not used after this call.
 */
void lh_client_free(struct lh_client *client);

/*
 Checks a seat of `product` out (in network mode, verifying the server's
 licence chain against the vendor keys first) and keeps renewing it in
 the background until [`crate::lh_seat_release`]. `LH_NO_SEAT` when every
 seat is taken.

 # Safety
 `client` a live client; `product` NUL-terminated; `out` writable; `err`
 null or writable.
 */
enum lh_status lh_checkout(const struct lh_client *client,
                           const char *product,
                           uint32_t timeout_ms,
                           struct lh_seat **out,
                           struct lh_error *err);

/*
 [`lh_checkout`] that waits in the server's queue when no seat is free,
 calling `on_place` (may be null) as the place changes, and returns the
 seat once it comes. `timeout_ms` bounds the wait (0: as long as it
 takes); when it passes the client leaves the queue (`LH_TIMEOUT`).
 Code `queue_not_allowed` when the licence forbids waiting.

 # Safety
 As [`lh_checkout`]; `user_data` is passed to `on_place` as given.
 */
enum lh_status lh_checkout_waiting(const struct lh_client *client,
                                   const char *product,
                                   uint32_t timeout_ms,
                                   lh_place_fn on_place,
                                   void *user_data,
                                   struct lh_seat **out,
                                   struct lh_error *err);

/*
 Checks a seat of `feature` out under `seat`'s lease. Code
 `no_feature_seat_free` when all are held, `feature_not_licensed` when no
 licence gives it.

 # Safety
 `seat` a live seat; `feature` NUL-terminated; `out` null or writable;
 `err` null or writable.
 */
enum lh_status lh_seat_checkout_feature(const struct lh_seat *seat,
                                        const char *feature,
                                        uint32_t timeout_ms,
                                        struct lh_feature_info *out,
                                        struct lh_error *err);

/*
 Gives `seat`'s seat of `feature` back before the lease ends (nothing to
 do when it holds none).

 # Safety
 `seat` a live seat; `feature` NUL-terminated; `err` null or writable.
 */
enum lh_status lh_seat_release_feature(const struct lh_seat *seat,
                                       const char *feature,
                                       uint32_t timeout_ms,
                                       struct lh_error *err);

/*
 Borrows a seat of `product` for `hours` and keeps the loan on this
 computer: `lh_checkout` of the product uses it, with no server, until
 it ends (`until_ms`, Unix ms). Codes `borrow_not_allowed`,
 `borrow_too_long`, `no_borrowable_seat`, `already_borrowed`.

 # Safety
 `client` a live client; `product` NUL-terminated; `until_ms` null or
 writable; `err` null or writable.
 */
enum lh_status lh_borrow(const struct lh_client *client,
                         const char *product,
                         uint32_t hours,
                         uint32_t timeout_ms,
                         int64_t *until_ms,
                         struct lh_error *err);

/*
 Gives the loan of `product` back early: dead on this computer at once;
 the server frees the seat now, or at the next contact.

 # Safety
 `client` a live client; `product` NUL-terminated; `out` null or
 writable; `err` null or writable.
 */
enum lh_status lh_return(const struct lh_client *client,
                         const char *product,
                         uint32_t timeout_ms,
                         enum lh_loan_return *out,
                         struct lh_error *err);

/*
 The seat's state now (does not block).

 # Safety
 `seat` a live seat; `info` writable; `err` null or writable.
 */
enum lh_status lh_seat_poll(const struct lh_seat *seat,
                            struct lh_seat_info *info,
                            struct lh_error *err);

/*
 Waits until the seat's state changes (or `timeout_ms` passes:
 `LH_TIMEOUT`, `info` then holds the state unchanged), and writes it.

 # Safety
 As [`lh_seat_poll`].
 */
enum lh_status lh_seat_wait(const struct lh_seat *seat,
                            uint32_t timeout_ms,
                            struct lh_seat_info *info,
                            struct lh_error *err);

/*
 Releases the seat (the server frees it at once) and frees the handle,
 also when the release fails (the lease then runs out by itself).

 # Safety
 `seat` a live seat, not used after this call; `err` null or writable.
 */
enum lh_status lh_seat_release(struct lh_seat *seat, uint32_t timeout_ms, struct lh_error *err);

/*
 Frees the seat without waiting: it is released in the background.
 Null is ignored.

 # Safety
 `seat` null or a live seat, not used after this call.
 */
void lh_seat_free(struct lh_seat *seat);

/*
 Spends `amount` of `product`'s consumption tokens under `key` (one key
 per spend: a job id); answered once the server has it durably. The same
 key again, after any failure, is answered with the first spend and
 spends nothing more: on an error other than a refusal, call again with
 the same key. Codes `tokens_exhausted`, `tokens_not_licensed`,
 `idempotency_key_reused`, `unreachable`.

 # Safety
 `client` a live client; `product` and `key` NUL-terminated; `note` null
 or NUL-terminated; `out` null or writable; `err` null or writable.
 */
enum lh_status lh_consume(const struct lh_client *client,
                          const char *product,
                          uint64_t amount,
                          const char *key,
                          const char *note,
                          uint32_t timeout_ms,
                          struct lh_spend *out,
                          struct lh_error *err);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* LEASEHOLD_H */
