// Holds a seat of PRODUCT for LEASEHOLD_HOLD_SECS seconds (default 1); the
// same behaviour as examples/c/checkout.c, with the RAII wrapper.
//
//   g++ -std=c++17 checkout.cpp -I include -L DIR -lleasehold -o checkout
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "leasehold.hpp"

int main(int argc, char **argv) {
    if (argc < 2) {
        std::cerr << "usage: " << argv[0] << " PRODUCT\n";
        return 1;
    }
    const char *key = std::getenv("LEASEHOLD_VENDOR_KEY");
    const char *hold = std::getenv("LEASEHOLD_HOLD_SECS");
    try {
        auto client = leasehold::client::from_settings("checkout-cpp", "1.0", key ? key : "");
        leasehold::seat seat = client.checkout(argv[1]);
        std::cout << "holding " << argv[1] << " (lease " << seat.lease_id() << ")" << std::endl;
        std::this_thread::sleep_for(std::chrono::seconds(hold ? std::atoi(hold) : 1));
        seat.release();
        return 0;
    } catch (const leasehold::no_seat &e) {
        std::cerr << e.code() << ": " << e.what() << "\n";
        return 3;
    } catch (const leasehold::error &e) {
        std::cerr << e.code() << ": " << e.what() << "\n";
        return 1;
    }
}
