// Leasehold for C++: RAII over the C ABI (leasehold.h). Header-only.
//
//   auto client = leasehold::client::from_settings("Designer", "4.2", VENDOR_KEY);
//   leasehold::seat seat = client.checkout("Designer");   // throws leasehold::no_seat
//   ...                                                   // released by ~seat
//
// Errors are exceptions: leasehold::error (code(), status()), and
// leasehold::no_seat when every seat is taken.
#ifndef LEASEHOLD_HPP
#define LEASEHOLD_HPP

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

#include "leasehold.h"

namespace leasehold {

/// A failed call: the stable code (e.g. "untrusted_server") and a message.
class error : public std::runtime_error {
public:
    explicit error(const lh_error &e)
        : std::runtime_error(e.message), code_(e.code), status_(e.status) {}
    const std::string &code() const noexcept { return code_; }
    lh_status status() const noexcept { return status_; }

private:
    std::string code_;
    lh_status status_;
};

/// Every seat of the product is taken (code "no_seat_free").
class no_seat : public error {
public:
    using error::error;
};

namespace detail {
inline void check(lh_status status, const lh_error &e) {
    if (status == LH_NO_SEAT) throw no_seat(e);
    if (status != LH_OK) throw error(e);
}
}  // namespace detail

/// A held seat, renewed in the background; released by its destructor.
class seat {
public:
    explicit seat(lh_seat *s) noexcept : s_(s) {}
    seat(seat &&other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
    seat &operator=(seat &&other) noexcept {
        if (this != &other) {
            reset();
            s_ = std::exchange(other.s_, nullptr);
        }
        return *this;
    }
    seat(const seat &) = delete;
    seat &operator=(const seat &) = delete;
    ~seat() { reset(); }

    /// The seat's state now.
    lh_seat_info info() const {
        lh_seat_info i{};
        lh_error e{};
        detail::check(lh_seat_poll(s_, &i, &e), e);
        return i;
    }
    /// Whether the product may be used now.
    bool usable() const { return info().usable; }
    std::string lease_id() const { return info().lease_id; }

    /// Releases now (the destructor does it otherwise), reporting a failure.
    void release(std::uint32_t timeout_ms = 10000) {
        lh_error e{};
        lh_status status = lh_seat_release(std::exchange(s_, nullptr), timeout_ms, &e);
        detail::check(status, e);
    }

private:
    void reset() noexcept {
        if (s_ != nullptr) lh_seat_release(std::exchange(s_, nullptr), 5000, nullptr);
    }
    lh_seat *s_;
};

/// Knows where the server is and who is asking.
class client {
public:
    /// From the end user's settings (standalone or network); `vendor_key`
    /// is your public key, compiled in.
    static client from_settings(const std::string &app, const std::string &version,
                                const std::string &vendor_key) {
        lh_client *c = nullptr;
        lh_error e{};
        detail::check(lh_client_from_settings(app.c_str(), version.c_str(), vendor_key.c_str(), &c, &e), e);
        return client(c);
    }
    explicit client(lh_client *c) noexcept : c_(c) {}
    client(client &&other) noexcept : c_(std::exchange(other.c_, nullptr)) {}
    client &operator=(client &&other) noexcept {
        if (this != &other) {
            lh_client_free(c_);
            c_ = std::exchange(other.c_, nullptr);
        }
        return *this;
    }
    client(const client &) = delete;
    client &operator=(const client &) = delete;
    ~client() { lh_client_free(c_); }

    /// Checks a seat out; throws no_seat when every seat is taken.
    seat checkout(const std::string &product, std::uint32_t timeout_ms = 30000) const {
        lh_seat *s = nullptr;
        lh_error e{};
        detail::check(lh_checkout(c_, product.c_str(), timeout_ms, &s, &e), e);
        return seat(s);
    }

private:
    lh_client *c_;
};

}  // namespace leasehold

#endif  // LEASEHOLD_HPP
