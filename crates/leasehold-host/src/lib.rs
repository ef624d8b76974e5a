//! This computer as the operating system reports it, for the server's
//! activation fingerprint (`leasehold_core::license::fingerprint`: machine
//! id, host name, network cards, processor, and the firmware's system UUID
//! where it can be read) and for the SDK's seats
//! (`leasehold_core::computer`: host name, network cards, processor, boot
//! id). One reader of each part, used by both.
//!
//! Debug builds (the test suite's) take the parts from
//! `LEASEHOLD_TEST_FINGERPRINT` when it is set
//! (`machine=…,host=…,nics=…,cpu=…,boot=…,board=…`; a part left out is not
//! reported), so a test can play "the data directory copied to another
//! computer" or "a cloned machine". The seam is compiled out of release
//! builds: a shipped server or application cannot be told it is another
//! computer.

use leasehold_core::computer::Computer;
use leasehold_core::license::fingerprint::{Fingerprint, Part};

/// This computer's activation fingerprint, read once at start.
#[must_use]
pub fn this_computer() -> Fingerprint {
    let p = parts();
    Fingerprint::of([
        (Part::MachineId, p.machine.as_str()),
        (Part::HostName, p.host.as_str()),
        (Part::NetworkCards, p.nics.as_str()),
        (Part::Processor, p.cpu.as_str()),
        (Part::BoardId, p.board.as_str()),
    ])
}

/// This computer as its seats know it (what a checkout sends).
#[must_use]
pub fn seat_computer() -> Computer {
    let p = parts();
    Computer::of(&p.host, &p.nics, &p.cpu, &p.boot)
}

/// The parts as text, empty when the system does not report one.
#[derive(Debug, Default)]
struct Parts {
    machine: String,
    host: String,
    nics: String,
    cpu: String,
    boot: String,
    board: String,
}

fn parts() -> Parts {
    #[cfg(debug_assertions)]
    if let Ok(text) = std::env::var("LEASEHOLD_TEST_FINGERPRINT") {
        return from_test_text(&text);
    }
    Parts {
        machine: machine_uid::get().unwrap_or_default(),
        host: gethostname::gethostname().to_string_lossy().into_owned(),
        nics: network_cards(),
        cpu: processor(),
        boot: boot_id(),
        board: board_id(),
    }
}

#[cfg(debug_assertions)]
fn from_test_text(text: &str) -> Parts {
    let mut p = Parts::default();
    for (k, v) in text.split(',').filter_map(|kv| kv.split_once('=')) {
        let slot = match k.trim() {
            "machine" => &mut p.machine,
            "host" => &mut p.host,
            "nics" => &mut p.nics,
            "cpu" => &mut p.cpu,
            "boot" => &mut p.boot,
            "board" => &mut p.board,
            _ => continue,
        };
        *slot = v.to_owned();
    }
    p
}

/// The firmware's system UUID (SMBIOS): new on a cloned virtual machine,
/// kept by a real computer. Linux lets only root read it (a server running
/// as its own user goes without this part); elsewhere not read yet.
#[cfg(target_os = "linux")]
fn board_id() -> String {
    std::fs::read_to_string("/sys/class/dmi/id/product_uuid")
        .map(|s| s.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

#[cfg(not(target_os = "linux"))]
fn board_id() -> String {
    String::new()
}

/// An id of this boot of the computer: the same until it restarts, another
/// on a clone booted from the same image. Linux: the kernel's boot id;
/// macOS: the boot time; elsewhere not reported (the other parts decide).
#[cfg(target_os = "linux")]
fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

#[cfg(target_os = "macos")]
fn boot_id() -> String {
    std::process::Command::new("/usr/sbin/sysctl")
        .args(["-n", "kern.boottime"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn boot_id() -> String {
    String::new()
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
    fn the_seat_computer_is_stable_within_a_boot() {
        assert!(!seat_computer().is_unknown());
        assert_eq!(seat_computer(), seat_computer());
    }

    #[test]
    fn the_test_text_names_parts() {
        let f = from_test_text("machine=m-1, host=lic01,nics=aa,cpu=x,boot=b1,bogus=1");
        assert_eq!(
            (
                f.machine.as_str(),
                f.host.as_str(),
                f.nics.as_str(),
                f.cpu.as_str(),
                f.boot.as_str()
            ),
            ("m-1", "lic01", "aa", "x", "b1")
        );
        let g = from_test_text("machine=m-2,host=lic02");
        assert_eq!((g.host.as_str(), g.cpu.as_str()), ("lic02", ""));
    }
}
