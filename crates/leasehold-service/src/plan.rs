//! What `service install / uninstall / start / stop` do, as a list of steps:
//! printed by `--dry-run` (and changing nothing), executed otherwise. The
//! platform modules build the lists with pure functions, so tests read them.

use anyhow::{Context, Result, anyhow, bail};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// One thing to do to the machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// Run a program. `unless`: a check run first; when it succeeds the step
    /// is skipped (e.g. "the user exists already"). `may_fail`: a failure is
    /// reported and the plan goes on (e.g. stopping a service that is not running).
    Run {
        why: String,
        argv: Vec<String>,
        unless: Option<Vec<String>>,
        may_fail: bool,
    },
    /// Write a file (replacing it) with this unix mode.
    Write {
        path: PathBuf,
        contents: String,
        mode: u32,
    },
    /// Remove a file; a missing file is fine.
    Remove { path: PathBuf },
    /// Remove a directory and everything in it; a missing one is fine.
    RemoveDir { path: PathBuf },
    /// Wait (up to `wait`) for the server's first start to write the admin
    /// token, then make it readable by `group` (mode 0640), so members of
    /// the admin group (and the desktop app they run) can use the service.
    ShareToken {
        path: PathBuf,
        group: String,
        wait: Duration,
    },
    /// Nothing to do but say something (a warning, a next step).
    Note(String),
}

/// A step that runs `argv`.
pub fn run(why: impl Into<String>, argv: &[&str]) -> Step {
    Step::Run {
        why: why.into(),
        argv: owned(argv),
        unless: None,
        may_fail: false,
    }
}

/// A step that runs `argv` unless `check` succeeds.
pub fn run_unless(why: impl Into<String>, check: &[&str], argv: &[&str]) -> Step {
    Step::Run {
        why: why.into(),
        argv: owned(argv),
        unless: Some(owned(check)),
        may_fail: false,
    }
}

/// A step that runs `argv` and goes on when it fails.
pub fn run_may_fail(why: impl Into<String>, argv: &[&str]) -> Step {
    Step::Run {
        why: why.into(),
        argv: owned(argv),
        unless: None,
        may_fail: true,
    }
}

fn owned(argv: &[&str]) -> Vec<String> {
    argv.iter().map(|s| (*s).to_owned()).collect()
}

/// The plan as `--dry-run` prints it: one numbered line per step, file
/// contents indented below their step.
#[must_use]
pub fn render(steps: &[Step]) -> String {
    let mut out = String::from("Dry run: nothing is changed. These are the steps, in order:\n");
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        let _ = match step {
            Step::Run {
                why,
                argv,
                unless,
                may_fail,
            } => {
                let mut line = format!("{n}. {why}: run `{}`", shell_words(argv));
                if let Some(check) = unless {
                    let _ = write!(line, " unless `{}` succeeds", shell_words(check));
                }
                if *may_fail {
                    line.push_str(" (a failure is fine)");
                }
                writeln!(out, "{line}")
            }
            Step::Write {
                path,
                contents,
                mode,
            } => {
                let _ = writeln!(out, "{n}. write {} (mode {mode:04o}):", path.display());
                let body: String = contents.lines().map(|l| format!("     | {l}\n")).collect();
                write!(out, "{body}")
            }
            Step::Remove { path } => writeln!(out, "{n}. remove {}", path.display()),
            Step::RemoveDir { path } => writeln!(
                out,
                "{n}. remove the directory {} and all it holds",
                path.display()
            ),
            Step::ShareToken { path, group, wait } => writeln!(
                out,
                "{n}. wait up to {}s for {}, then make it readable by group `{group}` (chgrp {group}, chmod 0640)",
                wait.as_secs(),
                path.display()
            ),
            Step::Note(text) => writeln!(out, "{n}. note: {text}"),
        };
    }
    out
}

/// Executes the steps in order, printing each; stops at the first failure.
///
/// # Errors
/// The first step that fails, with what it was for and the program's output.
pub fn execute(steps: &[Step]) -> Result<()> {
    for step in steps {
        match step {
            Step::Run {
                why,
                argv,
                unless,
                may_fail,
            } => {
                if unless.as_deref().is_some_and(succeeds) {
                    eprintln!("- {why}: already done");
                    continue;
                }
                eprintln!("- {why}: {}", shell_words(argv));
                match run_argv(argv) {
                    Ok(()) => {}
                    Err(e) if *may_fail => eprintln!("  (went on: {e:#})"),
                    Err(e) => return Err(e.context(format!("could not {why}"))),
                }
            }
            Step::Write {
                path,
                contents,
                mode,
            } => {
                eprintln!("- write {}", path.display());
                write_file(path, contents, *mode)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            Step::Remove { path } => match std::fs::remove_file(path) {
                Ok(()) => eprintln!("- removed {}", path.display()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(anyhow!("cannot remove {}: {e}", path.display())),
            },
            Step::RemoveDir { path } => match std::fs::remove_dir_all(path) {
                Ok(()) => eprintln!("- removed {} and all it held", path.display()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(anyhow!("cannot remove {}: {e}", path.display())),
            },
            Step::ShareToken { path, group, wait } => share_token(path, group, *wait),
            Step::Note(text) => eprintln!("note: {text}"),
        }
    }
    Ok(())
}

fn succeeds(argv: &[String]) -> bool {
    let Some((program, args)) = argv.split_first() else {
        return false;
    };
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run_argv(argv: &[String]) -> Result<()> {
    let Some((program, args)) = argv.split_first() else {
        bail!("empty command")
    };
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| anyhow!("cannot run `{program}`: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(anyhow!(
        "`{}` failed ({}): {}",
        shell_words(argv),
        output.status,
        stderr.trim()
    ))
}

fn write_file(path: &std::path::Path, contents: &str, mode: u32) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, contents)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    Ok(())
}

/// Best effort: the service works without it; only the admin group's access
/// to the token (for the desktop app) depends on it, so failures are notes.
fn share_token(path: &std::path::Path, group: &str, wait: Duration) {
    let deadline = Instant::now() + wait;
    while !path.exists() {
        if Instant::now() >= deadline {
            eprintln!(
                "note: {} did not appear within {}s; once the service has started, run `chgrp {group} {0}; chmod 0640 {0}` to let group `{group}` use it",
                path.display(),
                wait.as_secs()
            );
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let p = path.display().to_string();
    for argv in [
        vec!["chgrp".to_owned(), group.to_owned(), p.clone()],
        vec!["chmod".to_owned(), "0640".to_owned(), p.clone()],
    ] {
        if let Err(e) = run_argv(&argv) {
            eprintln!("note: could not share the admin token with group `{group}`: {e:#}");
            return;
        }
    }
    eprintln!("- the admin token {p} is readable by group `{group}`");
}

/// `argv` as one line a shell would read back the same (single quotes where needed).
#[must_use]
pub fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
            if plain {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_quotes_only_what_needs_it() {
        let argv = owned(&[
            "useradd",
            "--home-dir",
            "/Library/Application Support/Leasehold",
            "it's",
        ]);
        assert_eq!(
            shell_words(&argv),
            r"useradd --home-dir '/Library/Application Support/Leasehold' 'it'\''s'"
        );
    }

    #[test]
    fn render_numbers_steps_and_indents_files() {
        let steps = vec![
            run_unless(
                "create the group",
                &["getent", "group", "g"],
                &["groupadd", "--system", "g"],
            ),
            Step::Write {
                path: PathBuf::from("/etc/x"),
                contents: "a\nb\n".into(),
                mode: 0o644,
            },
        ];
        let text = render(&steps);
        assert!(
            text.contains(
                "1. create the group: run `groupadd --system g` unless `getent group g` succeeds"
            ),
            "{text}"
        );
        assert!(
            text.contains("2. write /etc/x (mode 0644):\n     | a\n     | b\n"),
            "{text}"
        );
    }
}
