//! Finding lease servers on the LAN over mDNS (to come).
