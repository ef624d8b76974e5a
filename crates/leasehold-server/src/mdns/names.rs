//! Turning a server's identity into mDNS names and TXT records (RFC 6763).

/// DNS-SD service type Leasehold servers announce and clients browse.
pub const SERVICE_TYPE: &str = "_leasehold._tcp.local.";

/// Version of the TXT record layout below (RFC 6763 §6.7).
pub const TXT_VERSION: &str = "1";

/// A DNS label, and so a service instance name, holds at most 63 bytes.
const MAX_LABEL_BYTES: usize = 63;

/// One TXT string holds at most 255 bytes, `key=` included (RFC 6763 §6.1).
const MAX_TXT_STRING_BYTES: usize = 255;

/// The instance label used when the configured name has nothing usable left.
const FALLBACK_NAME: &str = "Leasehold server";

/// Makes a user-visible server name a valid DNS-SD instance name.
///
/// RFC 6763 §4.1.1 allows any UTF-8 (spaces, dots and capitals included) but
/// no control characters, in at most 63 bytes. Whitespace runs collapse to one
/// space and the result is cut on a character boundary.
pub fn instance_name(server_name: &str) -> String {
    let cleaned: String = server_name
        .split(|c: char| c.is_whitespace() || leasehold_core::text::is_deceptive(c))
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let cut = truncate_utf8(&cleaned, MAX_LABEL_BYTES).trim_end();
    if cut.is_empty() {
        FALLBACK_NAME.to_owned()
    } else {
        cut.to_owned()
    }
}

/// The `.local.` host name to announce, from the machine's host name.
///
/// Host names are stricter than instance names: letters, digits and hyphens
/// (RFC 952/1123), so anything else becomes a hyphen.
pub fn host_name(machine_host_name: Option<&str>) -> String {
    let first_label = machine_host_name
        .and_then(|name| name.split('.').next())
        .unwrap_or_default();
    let mut label = String::with_capacity(first_label.len());
    for c in first_label.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '-'
        };
        if !(c == '-' && (label.is_empty() || label.ends_with('-'))) {
            label.push(c);
        }
    }
    let label = truncate_utf8(&label, MAX_LABEL_BYTES).trim_end_matches('-');
    let label = if label.is_empty() { "leasehold" } else { label };
    format!("{label}.local.")
}

/// The host name the operating system reports, if any.
pub fn machine_host_name() -> Option<String> {
    let from_file = ["/proc/sys/kernel/hostname", "/etc/hostname"]
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .map(|text| text.trim().to_owned())
        .find(|name| !name.is_empty());
    from_file.or_else(|| {
        ["COMPUTERNAME", "HOSTNAME"]
            .iter()
            .filter_map(|var| std::env::var(var).ok())
            .find(|name| !name.trim().is_empty())
    })
}

/// TXT key/value pairs in announcement order: `txtvers` first (RFC 6763 §6.7),
/// short keys (§6.4), each string within 255 bytes (§6.1).
pub fn txt_records(
    server_id: &str,
    server_name: &str,
    protocol_version: u32,
) -> Vec<(&'static str, String)> {
    let pairs = [
        ("txtvers", TXT_VERSION.to_owned()),
        ("proto", protocol_version.to_string()),
        ("id", server_id.to_owned()),
        ("name", server_name.to_owned()),
    ];
    pairs
        .into_iter()
        .map(|(key, value)| {
            let room = MAX_TXT_STRING_BYTES - key.len() - 1;
            (key, truncate_utf8(&value, room).to_owned())
        })
        .collect()
}

/// The longest prefix of `text` that fits in `max_bytes` without splitting a character.
fn truncate_utf8(text: &str, max_bytes: usize) -> &str {
    if text.len() <= max_bytes {
        return text;
    }
    let mut end = max_bytes;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_name_keeps_spaces_dots_and_unicode() {
        assert_eq!(instance_name("Acme Corp. Licenses"), "Acme Corp. Licenses");
        assert_eq!(instance_name("Büro  Süd\t\n"), "Büro Süd");
    }

    #[test]
    fn instance_name_drops_control_characters_and_falls_back() {
        assert_eq!(instance_name("a\u{7}b"), "a b");
        assert_eq!(instance_name(" \u{0} "), FALLBACK_NAME);
    }

    #[test]
    fn instance_name_is_at_most_63_bytes_on_a_char_boundary() {
        let name = "é".repeat(40); // 80 bytes
        let cut = instance_name(&name);
        assert!(cut.len() <= 63);
        assert_eq!(cut, "é".repeat(31));
    }

    #[test]
    fn host_name_is_a_clean_local_label() {
        assert_eq!(
            host_name(Some("Build_Box.corp.example")),
            "build-box.local."
        );
        assert_eq!(host_name(Some("--x--")), "x.local.");
        assert_eq!(host_name(Some("Ünïcode")), "n-code.local.");
        assert_eq!(host_name(None), "leasehold.local.");
        assert_eq!(
            host_name(Some(&"a".repeat(100))),
            format!("{}.local.", "a".repeat(63))
        );
    }

    #[test]
    fn txt_records_start_with_txtvers_and_fit_255_bytes() {
        let long = "n".repeat(300);
        let txt = txt_records("srv-1", &long, 3);
        let keys: Vec<_> = txt.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["txtvers", "proto", "id", "name"]);
        assert_eq!(txt[1].1, "3");
        assert!(txt.iter().all(|(k, v)| k.len() + 1 + v.len() <= 255));
    }
}
