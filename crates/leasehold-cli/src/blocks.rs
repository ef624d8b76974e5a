//! Reading a block of text a person passes on the command line: a licence
//! code, an activation request or response, a deactivation proof. It may come
//! as one argument, as several words (groups split by the shell), as the path
//! of a file that holds it, or on stdin (`-`).

use anyhow::{Context, Result, bail};
use std::io::Read;
use std::path::Path;

/// Files holding a block are small; anything bigger is not one.
const MAX_FILE_LEN: u64 = 64 * 1024;

/// The text of `what` from `words`: `-` reads stdin, one word naming an
/// existing file reads that file, anything else is the text itself.
///
/// # Errors
/// Nothing given, stdin or the file unreadable, or a file far too big.
pub fn read_block(words: &[String], input: &mut dyn Read, what: &str) -> Result<String> {
    let text = match words {
        [only] if only == "-" => {
            let mut text = String::new();
            input
                .take(MAX_FILE_LEN)
                .read_to_string(&mut text)
                .with_context(|| format!("cannot read the {what} from stdin"))?;
            text
        }
        [only] if Path::new(only).is_file() => {
            let path = Path::new(only);
            let len = path.metadata().map(|m| m.len()).unwrap_or(0);
            if len > MAX_FILE_LEN {
                bail!(
                    "{} is {len} bytes long, far longer than any {what}; check the file name",
                    path.display()
                );
            }
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the {what} from {}", path.display()))?
        }
        words => words.concat(),
    };
    if text.trim().is_empty() {
        bail!("no {what} given; pass it as an argument, as a file, or on stdin with `-`");
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_files_and_stdin() {
        let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let mut nothing = std::io::empty();
        assert_eq!(
            read_block(&words(&["AB-", "CD"]), &mut nothing, "x").unwrap(),
            "AB-CD"
        );
        let mut stdin = "ABCD\n".as_bytes();
        assert_eq!(
            read_block(&words(&["-"]), &mut stdin, "x").unwrap(),
            "ABCD\n"
        );
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("request.txt");
        std::fs::write(&file, "EFGH").unwrap();
        let path = file.display().to_string();
        assert_eq!(read_block(&[path], &mut nothing, "x").unwrap(), "EFGH");
        let e = read_block(&words(&["  "]), &mut nothing, "activation request").unwrap_err();
        assert!(e.to_string().contains("no activation request given"), "{e}");
    }
}
