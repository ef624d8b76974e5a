//! This computer's fingerprint (see `leasehold_core::license::fingerprint`):
//! the machine id, the host name, the network cards' hardware addresses and
//! the processor, each as the system reports it.
//!
//! Debug builds (the test suite's) take the parts from
//! `LEASEHOLD_TEST_FINGERPRINT` when it is set (`machine=…,host=…,nics=…,cpu=…`),
//! so a test can play "the data directory copied to another computer". The
//! seam is compiled out of release builds: a shipped server cannot be told
//! it is another computer.

use leasehold_core::license::fingerprint::{Fingerprint, Part};

/// This computer's fingerprint, read once at start.
#[must_use]
pub fn this_computer() -> Fingerprint {
    #[cfg(debug_assertions)]
    if let Ok(text) = std::env::var("LEASEHOLD_TEST_FINGERPRINT") {
        return from_test_text(&text);
    }
    let machine = machine_uid::get().unwrap_or_default();
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    let nics = network_cards();
    let cpu = processor();
    Fingerprint::of([
        (Part::MachineId, machine.as_str()),
        (Part::HostName, host.as_str()),
        (Part::NetworkCards, nics.as_str()),
        (Part::Processor, cpu.as_str()),
    ])
}

#[cfg(debug_assertions)]
fn from_test_text(text: &str) -> Fingerprint {
    let parts = text.split(',').filter_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        let part = match k.trim() {
            "machine" => Part::MachineId,
            "host" => Part::HostName,
            "nics" => Part::NetworkCards,
            "cpu" => Part::Processor,
            _ => return None,
        };
        Some((part, v))
    });
    Fingerprint::of(parts)
}

/// The hardware addresses of the physical network cards, sorted: virtual
/// interfaces (bridges, containers, VPNs) come and go and are left out.
#[cfg(target_os = "linux")]
fn network_cards() -> String {
    let Ok(entries) = std::fs::read_dir("/sys/class/net") else {
        return String::new();
    };
    let mut macs: Vec<String> = entries
        .flatten()
        .filter(|e| e.path().join("device").exists())
        .filter_map(|e| std::fs::read_to_string(e.path().join("address")).ok())
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty() && a != "00:00:00:00:00:00")
        .collect();
    macs.sort();
    macs.dedup();
    macs.join(",")
}

#[cfg(not(target_os = "linux"))]
fn network_cards() -> String {
    mac_address::get_mac_address()
        .ok()
        .flatten()
        .map(|m| m.to_string().to_ascii_lowercase())
        .unwrap_or_default()
}

/// The processor's model and count of logical processors.
fn processor() -> String {
    let count = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let model = model_name().unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    format!("{model} x{count}")
}

#[cfg(target_os = "linux")]
fn model_name() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name") || l.starts_with("Model"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
}

#[cfg(not(target_os = "linux"))]
fn model_name() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_computer_has_parts_and_is_stable() {
        let a = this_computer();
        assert!(!a.is_empty());
        assert!(a.compare(&this_computer()).is_same_computer());
    }

    #[test]
    fn the_test_text_names_parts() {
        let f = from_test_text("machine=m-1, host=lic01,nics=aa,cpu=x,bogus=1");
        let g = from_test_text("machine=m-2,host=lic02,nics=bb,cpu=x");
        let c = f.compare(&g);
        assert_eq!(c.same, vec![Part::Processor]);
        assert_eq!(c.changed.len(), 3);
    }
}
