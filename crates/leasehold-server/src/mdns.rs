//! mDNS announcement of the lease server (to come).
