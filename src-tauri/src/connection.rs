//! What the window is told about its server: address, admin token and what
//! the host can do. Handed over twice, the same way: as `window.__LEASEHOLD__`
//! before the page loads (read synchronously by `ui/src/api/connection.ts`)
//! and as the answer of the `connection` command.

use crate::listen::PortConflict;
use crate::service::Attached;
use serde::Serialize;
use std::net::SocketAddr;

/// Where a page that was already open keeps a newer connection, so that a
/// reload after a port change sees it (initialization scripts are fixed when
/// the window is made).
const OVERRIDE_KEY: &str = "leasehold.hostConnection";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInfo {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base_url: String,
    pub token: String,
    pub desktop: bool,
    /// The host can start and stop the server (the UI's name for it).
    pub server_control: bool,
    /// Same as `server_control`, under the name the app's commands use.
    pub can_start_stop: bool,
    pub running: bool,
    /// The address the server listens on (what a firewall must allow).
    pub listen: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub port_conflict: Option<PortConflict>,
    /// Why the server is not running, when it failed to start; when
    /// attached, a problem with the service (`service_token_unreadable`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error: Option<Problem>,
    /// Set when the app is the console of the Leasehold service on this
    /// machine (no server of its own): Start/Stop control the service.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub attached: Option<Attached>,
    /// No service is attached and this machine can have one: the
    /// `service_install` command installs it (asking for an admin password).
    pub can_install_service: bool,
}

/// An error the UI can show and tell apart by `code` (a refused command's
/// `DesktopError` crosses in the same shape).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
}

impl ConnectionInfo {
    /// A server listening on `listen`; the caller adds what it knows more
    /// (an error, the attached service, whether a service can be installed).
    #[must_use]
    pub fn new(
        listen: SocketAddr,
        token: &str,
        running: bool,
        port_conflict: Option<PortConflict>,
    ) -> Self {
        Self {
            base_url: base_url(listen),
            token: token.to_owned(),
            desktop: true,
            server_control: true,
            can_start_stop: true,
            running,
            listen: listen.to_string(),
            port_conflict,
            error: None,
            attached: None,
            can_install_service: false,
        }
    }

    /// The script that sets `window.__LEASEHOLD__` before any page script
    /// runs. A value left by [`ConnectionInfo::update_script`] wins over the
    /// one the window was made with.
    #[must_use]
    pub fn init_script(&self) -> String {
        format!(
            "(function(){{var v={json};try{{var s=window.sessionStorage.getItem({key});if(s)v=JSON.parse(s);}}catch(e){{}}\
             Object.defineProperty(window,'__LEASEHOLD__',{{value:v,writable:true,configurable:true}});}})();",
            json = self.json(),
            key = js_string(OVERRIDE_KEY),
        )
    }

    /// The script that tells an open page about a new connection (after a
    /// restart on another port): it takes effect now and on the next reload.
    #[must_use]
    pub fn update_script(&self) -> String {
        let json = self.json();
        format!(
            "(function(){{var v={json};window.__LEASEHOLD__=v;try{{window.sessionStorage.setItem({key},JSON.stringify(v));}}catch(e){{}}\
             window.dispatchEvent(new CustomEvent('leasehold:connection',{{detail:v}}));}})();",
            key = js_string(OVERRIDE_KEY),
        )
    }

    fn json(&self) -> String {
        // A struct of strings, numbers and booleans always serializes.
        serde_json::to_string(self).unwrap_or_else(|_| "null".to_owned())
    }
}

/// The URL local callers use: loopback when the server listens everywhere.
#[must_use]
pub fn base_url(listen: SocketAddr) -> String {
    format!("http://{}", leasehold_service::local::reachable(listen))
}

fn js_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_uses_loopback_for_any_address() {
        assert_eq!(
            base_url("0.0.0.0:7878".parse().unwrap()),
            "http://127.0.0.1:7878"
        );
        assert_eq!(base_url("[::]:9000".parse().unwrap()), "http://[::1]:9000");
        assert_eq!(
            base_url("192.168.1.5:7878".parse().unwrap()),
            "http://192.168.1.5:7878"
        );
    }

    #[test]
    fn wire_form_is_camel_case_and_names_a_conflict() {
        let info = ConnectionInfo::new(
            "0.0.0.0:40001".parse().unwrap(),
            "tok",
            true,
            Some(PortConflict {
                wanted: 7878,
                got: 40001,
            }),
        );
        let v: serde_json::Value = serde_json::from_str(&info.json()).unwrap();
        assert_eq!(v["baseUrl"], "http://127.0.0.1:40001");
        assert_eq!(v["token"], "tok");
        assert_eq!(v["desktop"], true);
        assert_eq!(v["serverControl"], true);
        assert_eq!(v["canStartStop"], true);
        assert_eq!(v["portConflict"]["wanted"], 7878);
        assert_eq!(v["portConflict"]["got"], 40001);
        let none = ConnectionInfo::new("0.0.0.0:7878".parse().unwrap(), "tok", true, None);
        assert!(!none.json().contains("portConflict"));
    }

    #[test]
    fn init_script_embeds_the_json_safely() {
        let info =
            ConnectionInfo::new("127.0.0.1:1".parse().unwrap(), "a\"b</script>", false, None);
        let script = info.init_script();
        assert!(script.contains(r#""token":"a\"b</script>""#), "{script}");
        assert!(script.contains("__LEASEHOLD__"));
    }
}
