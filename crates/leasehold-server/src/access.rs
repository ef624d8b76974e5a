//! Who may read the files a running server leaves for local tools: the
//! admin token (owner-only, or shared with an admin group) and the address
//! file (anyone: it is not secret).

use crate::error::Error;
use std::path::Path;

/// Makes `DATA_DIR/admin-token` readable by the members of `group` (mode
/// 0640, group `group`), so admins of a system service can read it without
/// root. Applied at every start, so it holds even after the token file is
/// rewritten.
///
/// # Errors
/// When the group does not exist, or the file's group or mode cannot be set.
pub fn share_token_with_group(data_dir: &Path, group: &str) -> Result<(), Error> {
    let path = data_dir.join(crate::store::TOKEN_FILE);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let gid = group_id(group)?;
        std::os::unix::fs::chown(&path, None, Some(gid))
            .and_then(|()| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)))
            .map_err(|e| {
                Error::Internal(format!(
                    "cannot share {} with group {group}: {e}",
                    path.display()
                ))
            })
    }
    #[cfg(not(unix))]
    {
        let _ = (path, group);
        Ok(())
    }
}

/// The id of a local group, from `/etc/group`.
#[cfg(unix)]
fn group_id(group: &str) -> Result<u32, Error> {
    let text = std::fs::read_to_string("/etc/group").unwrap_or_default();
    parse_group_id(&text, group).ok_or_else(|| Error::BadRequest(format!(
        "the group `{group}` does not exist on this machine; create it (`groupadd --system {group}`) or start without --admin-group"
    )))
}

/// Finds `name`'s id in the text of `/etc/group` (`name:x:gid:members`).
fn parse_group_id(etc_group: &str, name: &str) -> Option<u32> {
    ids(etc_group).find_map(|(n, id)| (n == name).then_some(id))
}

/// The name of user `uid`, from `/etc/passwd`.
#[cfg(unix)]
#[must_use]
pub fn user_name(uid: u32) -> Option<String> {
    let text = std::fs::read_to_string("/etc/passwd").ok()?;
    parse_user_name(&text, uid)
}

/// Finds user `uid`'s name in the text of `/etc/passwd` (`name:x:uid:…`).
fn parse_user_name(etc_passwd: &str, uid: u32) -> Option<String> {
    ids(etc_passwd).find_map(|(name, id)| (id == uid).then(|| name.to_owned()))
}

/// The names and ids of `/etc/passwd` or `/etc/group` (`name:x:id:…`);
/// lines that are not such are passed over.
fn ids(text: &str) -> impl Iterator<Item = (&str, u32)> {
    text.lines().filter_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        Some((name, fields.nth(1)?.trim().parse().ok()?))
    })
}

/// Makes a file readable by everyone (0644), whatever the umask was.
pub fn world_readable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)) {
            tracing::warn!("cannot make {} readable: {e}", path.display());
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_group_ids() {
        let text = "root:x:0:\nleasehold-admin:x:998:ann,bob\n#comment\nbroken\nstaff:x:50:";
        assert_eq!(parse_group_id(text, "leasehold-admin"), Some(998));
        assert_eq!(parse_group_id(text, "staff"), Some(50));
        assert_eq!(parse_group_id(text, "leasehold"), None);
        assert_eq!(parse_group_id(text, "broken"), None);
    }

    #[test]
    fn finds_user_names() {
        let text = "root:x:0:0:root:/root:/bin/sh\nbroken\nleasehold:x:998:997::/var/lib/leasehold:/usr/sbin/nologin\n";
        assert_eq!(parse_user_name(text, 998).as_deref(), Some("leasehold"));
        assert_eq!(parse_user_name(text, 0).as_deref(), Some("root"));
        assert_eq!(parse_user_name(text, 5), None);
    }

    #[cfg(unix)]
    #[test]
    fn shares_the_token_with_an_existing_group() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let token = dir.path().join(crate::store::TOKEN_FILE);
        std::fs::write(&token, "secret\n").unwrap();
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
        // Our own primary group always exists and we may chown to it.
        let gid = std::fs::metadata(dir.path()).unwrap().gid();
        let name = std::fs::read_to_string("/etc/group")
            .unwrap()
            .lines()
            .find(|l| l.split(':').nth(2) == Some(&gid.to_string()))
            .and_then(|l| l.split(':').next().map(str::to_owned))
            .expect("our group is in /etc/group");
        share_token_with_group(dir.path(), &name).unwrap();
        let meta = std::fs::metadata(&token).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o640);
        assert_eq!(meta.gid(), gid);
        let err = share_token_with_group(dir.path(), "no-such-group-here").unwrap_err();
        assert!(err.to_string().contains("groupadd"), "{err}");
    }
}
