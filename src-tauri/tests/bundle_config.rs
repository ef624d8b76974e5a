//! The installers' configuration, checked without building them (that is
//! scripts/deb-check.sh for the .deb and .github/workflows/bundles.yml for
//! Windows and macOS): tauri.conf.json and its platform files, the files they
//! name, the NSIS hooks and the workflow.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test may panic

use serde_json::Value;
use std::path::{Path, PathBuf};

fn tauri_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn repo() -> PathBuf {
    tauri_dir().join("..")
}

fn json(name: &str) -> Value {
    let path = tauri_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"))
}

/// A path in the config, relative to src-tauri as Tauri reads it.
fn source(path: &Value) -> PathBuf {
    tauri_dir().join(path.as_str().expect("a path"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `[workspace.package] version` of the root Cargo.toml.
fn workspace_version() -> String {
    let text = read(&repo().join("Cargo.toml"));
    let section = text
        .split("[workspace.package]")
        .nth(1)
        .expect("[workspace.package]");
    section
        .lines()
        .find_map(|l| l.trim().strip_prefix("version = "))
        .expect("a version")
        .trim_matches('"')
        .to_owned()
}

/// Where scripts/stage-cli.mjs puts the `leasehold` command.
const STAGED_CLI: &str = "../target/bundle-cli/leasehold";

#[test]
fn bundle_identity_and_version_match_the_workspace() {
    let conf = json("tauri.conf.json");
    assert_eq!(conf["version"], workspace_version().as_str());
    assert_eq!(conf["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(conf["identifier"], "org.leasehold.desktop");
    assert_eq!(conf["productName"], "Leasehold");
    assert_eq!(conf["mainBinaryName"], "leasehold-desktop");
    let bundle = &conf["bundle"];
    assert_eq!(bundle["active"], true);
    assert!(bundle["publisher"].as_str().is_some_and(|p| !p.is_empty()));
    let icons = bundle["icon"].as_array().expect("icons");
    for icon in icons {
        assert!(source(icon).is_file(), "icon {icon} exists");
    }
    let ext = |e: &str| {
        icons
            .iter()
            .any(|i| i.as_str().is_some_and(|i| i.ends_with(e)))
    };
    assert!(
        ext(".png") && ext(".ico") && ext(".icns"),
        "icons for every platform"
    );
}

#[test]
fn the_deb_carries_the_cli_the_unit_and_the_maintainer_scripts() {
    let conf = json("tauri.conf.json");
    let deb = &conf["bundle"]["linux"]["deb"];
    let files = deb["files"].as_object().expect("bundle.linux.deb.files");
    assert_eq!(files["/usr/bin/leasehold"], STAGED_CLI);
    let unit = &files["/usr/lib/systemd/system/leasehold.service"];
    assert_eq!(
        read(&source(unit)),
        leasehold_service::systemd::packaged_unit(),
        "the packaged unit is what `leasehold service install` makes with /usr/bin/leasehold"
    );
    assert!(
        files
            .keys()
            .all(|k| !k.starts_with("/var") && !k.starts_with("/etc")),
        "no data or admin configuration in the package: {files:?}"
    );
    for (key, script) in [
        ("postInstallScript", "postinst"),
        ("preRemoveScript", "prerm"),
        ("postRemoveScript", "postrm"),
    ] {
        let path = source(&deb[key]);
        assert_eq!(
            std::fs::canonicalize(&path).unwrap(),
            std::fs::canonicalize(repo().join("packaging/deb").join(script)).unwrap(),
            "{key}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o111, 0o111, "{script} is executable");
        }
    }
    assert!(deb.get("preInstallScript").is_none());
    let depends: Vec<&str> = deb["depends"]
        .as_array()
        .expect("depends")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(depends.contains(&"passwd"), "useradd/groupadd: {depends:?}");
    assert_eq!(conf["bundle"]["targets"], serde_json::json!(["deb"]));
}

#[test]
fn the_build_stages_the_cli_where_the_bundles_take_it() {
    let conf = json("tauri.conf.json");
    let before = conf["build"]["beforeBuildCommand"].as_str().unwrap();
    assert!(before.starts_with("npm run build"), "{before}");
    assert!(before.contains("node scripts/stage-cli.mjs"), "{before}");
    let stage = read(&repo().join("scripts/stage-cli.mjs"));
    assert!(stage.contains("'target', 'bundle-cli'"), "{stage}");
    assert!(stage.contains("'-p', 'leasehold-cli'"), "{stage}");
    assert_eq!(
        conf["bundle"]["macOS"]["files"]["MacOS/leasehold"],
        STAGED_CLI
    );
    let windows = json("tauri.windows.conf.json");
    assert_eq!(
        windows["bundle"]["resources"][format!("{STAGED_CLI}.exe")],
        "leasehold.exe",
        "leasehold.exe next to the app, where the NSIS hooks run it"
    );
}

#[test]
fn windows_installer_registers_the_service_and_opens_the_firewall() {
    let conf = json("tauri.conf.json");
    let nsis = &conf["bundle"]["windows"]["nsis"];
    assert_eq!(
        nsis["installMode"], "perMachine",
        "services and firewall need an elevated installer"
    );
    assert!(source(&nsis["installerIcon"]).is_file());
    assert_eq!(
        json("tauri.windows.conf.json")["bundle"]["targets"],
        serde_json::json!(["nsis"])
    );
    let hooks = read(&source(&nsis["installerHooks"]));
    for hook in [
        "NSIS_HOOK_PREINSTALL",
        "NSIS_HOOK_POSTINSTALL",
        "NSIS_HOOK_PREUNINSTALL",
    ] {
        assert!(hooks.contains(&format!("!macro {hook}\n")), "{hook}");
    }
    let code: Vec<&str> = hooks
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with(';'))
        .collect();
    let count = |p: &str| code.iter().filter(|l| l.starts_with(p)).count();
    assert_eq!(count("!macro "), count("!macroend"), "balanced macros");
    assert_eq!(count("${If}"), count("${EndIf}"), "balanced ${{If}}");
    let port = leasehold_server::DEFAULT_PORT;
    for want in [
        r#""$INSTDIR\leasehold.exe" service install"#.to_owned(),
        r#""$INSTDIR\leasehold.exe" service uninstall"#.to_owned(),
        format!("name=Leasehold (TCP {port})\" dir=in action=allow protocol=TCP localport={port}"),
        "name=Leasehold (UDP 5353)\" dir=in action=allow protocol=UDP localport=5353".to_owned(),
    ] {
        assert!(hooks.contains(&want), "the hooks have {want}");
    }
    assert!(
        !hooks.contains("--purge-data"),
        "uninstalling never deletes license data"
    );
}

#[test]
fn macos_bundle_is_an_app_in_a_dmg() {
    let conf = json("tauri.conf.json");
    let mac = &conf["bundle"]["macOS"];
    assert!(mac["minimumSystemVersion"].is_string());
    for key in ["windowSize", "appPosition", "applicationFolderPosition"] {
        assert!(mac["dmg"][key].is_object(), "dmg.{key}");
    }
    assert_eq!(
        json("tauri.macos.conf.json")["bundle"]["targets"],
        serde_json::json!(["app", "dmg"])
    );
}

#[test]
fn the_bundles_workflow_is_valid_yaml_building_windows_and_macos() {
    let path = repo().join(".github/workflows/bundles.yml");
    let text = read(&path);
    assert!(!text.contains('\t'), "YAML has no tabs");
    // PyYAML when there is one; the structure is checked on its JSON.
    let parsed = std::process::Command::new("python3")
        .args([
            "-c",
            "import json,sys,yaml; d=yaml.safe_load(open(sys.argv[1])); d['on']=d.pop(True, d.get('on')); print(json.dumps(d))",
        ])
        .arg(&path)
        .output();
    let Ok(out) = parsed.as_ref().map_err(|e| e.to_string()).and_then(|o| {
        o.status
            .success()
            .then_some(o)
            .ok_or_else(|| String::from_utf8_lossy(&o.stderr).into_owned())
    }) else {
        let why = parsed.map_or_else(
            |e| e.to_string(),
            |o| String::from_utf8_lossy(&o.stderr).into_owned(),
        );
        assert!(
            !why.contains("yaml.scanner") && !why.contains("yaml.parser"),
            "{why}"
        );
        eprintln!("python3 with PyYAML is not here ({why}); checked the text only");
        for want in [
            "windows-latest",
            "macos-latest",
            "npm ci",
            "npm run tauri build",
        ] {
            assert!(text.contains(want), "{want}");
        }
        return;
    };
    let wf: Value = serde_json::from_slice(&out.stdout).unwrap();
    let job = &wf["jobs"]["bundle"];
    let oses: Vec<&str> = job["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["os"].as_str())
        .collect();
    assert_eq!(oses, ["windows-latest", "macos-latest"]);
    let steps = job["steps"].as_array().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert_eq!(runs[0], "npm ci");
    assert!(
        runs.iter()
            .any(|r| r.starts_with("npm run tauri build -- --bundles")),
        "{runs:?}"
    );
    for action in [
        "actions/checkout@",
        "actions/setup-node@",
        "actions/upload-artifact@",
    ] {
        assert!(
            uses.iter().any(|u| u.starts_with(action)),
            "{action}: {uses:?}"
        );
    }
    assert!(wf["on"].is_object(), "triggers: {}", wf["on"]);
}
