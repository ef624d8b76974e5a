//! Text that people read: names sent by clients (user, host, client id,
//! application) and names found on the network. Control characters,
//! bidirectional overrides and invisible characters can make a name lie
//! about itself on screen and in logs ("ann" that is not ann, a host whose
//! letters display reversed), so such names are refused at the door, and
//! names that cannot be refused are shown with those characters escaped.

/// Characters that change how text around them displays, or cannot be
/// seen (inclusive ranges): control characters, bidirectional controls,
/// zero-width and other invisible format characters, and tag characters.
/// [`is_deceptive`] and the OpenAPI document's [`name_pattern`] both read it.
pub const DECEPTIVE: &[(char, char)] = &[
    ('\u{0000}', '\u{001F}'),   // C0 controls
    ('\u{007F}', '\u{009F}'),   // DEL, C1 controls
    ('\u{00AD}', '\u{00AD}'),   // soft hyphen
    ('\u{034F}', '\u{034F}'),   // combining grapheme joiner
    ('\u{061C}', '\u{061C}'),   // Arabic letter mark
    ('\u{115F}', '\u{1160}'),   // Hangul fillers
    ('\u{17B4}', '\u{17B5}'),   // Khmer inherent vowels
    ('\u{180B}', '\u{180F}'),   // Mongolian variation selectors, vowel separator
    ('\u{200B}', '\u{200F}'),   // zero-width space/joiners, LRM, RLM
    ('\u{2028}', '\u{202E}'),   // line/paragraph separators, bidi embeddings and overrides
    ('\u{2060}', '\u{206F}'),   // word joiner, invisible operators, bidi isolates
    ('\u{3164}', '\u{3164}'),   // Hangul filler
    ('\u{FE00}', '\u{FE0F}'),   // variation selectors
    ('\u{FEFF}', '\u{FEFF}'),   // zero-width no-break space (BOM)
    ('\u{FFA0}', '\u{FFA0}'),   // halfwidth Hangul filler
    ('\u{FFF9}', '\u{FFFB}'),   // interlinear annotation controls
    ('\u{1D173}', '\u{1D17A}'), // musical formatting controls
    ('\u{E0000}', '\u{E007F}'), // tag characters
    ('\u{E0100}', '\u{E01EF}'), // variation selectors supplement
];

/// White space that is not [deceptive](DECEPTIVE): a name of only these
/// (and nothing else) is empty.
pub const SPACES: &[(char, char)] = &[
    (' ', ' '),
    ('\u{00A0}', '\u{00A0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200A}'),
    ('\u{202F}', '\u{202F}'),
    ('\u{205F}', '\u{205F}'),
    ('\u{3000}', '\u{3000}'),
];

/// Whether `c` changes how text around it displays, or cannot be seen
/// (one of [`DECEPTIVE`]).
#[must_use]
pub fn is_deceptive(c: char) -> bool {
    DECEPTIVE.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

/// The regular expression (ECMA-262, as JSON Schema's `pattern`) that a
/// name [`refusal`] accepts matches: no deceptive character, and with
/// `required` at least one that is not white space. Characters of the
/// basic plane are written `\uXXXX`; the few above it as themselves, the
/// one spelling ECMA-262, Python and Rust regular expressions all read.
#[must_use]
pub fn name_pattern(required: bool) -> String {
    fn class(ranges: &[&[(char, char)]]) -> String {
        let mut out = String::from("[^");
        for &(lo, hi) in ranges.iter().copied().flatten() {
            push_char(&mut out, lo);
            if hi != lo {
                out.push('-');
                push_char(&mut out, hi);
            }
        }
        out.push(']');
        out
    }
    fn push_char(out: &mut String, c: char) {
        if c == ' ' {
            out.push(' ');
        } else if u32::from(c) <= 0xFFFF {
            out.push_str(&format!("\\u{:04X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    let any = class(&[DECEPTIVE]);
    if required {
        let visible = class(&[DECEPTIVE, SPACES]);
        format!("^{any}*{visible}{any}*$")
    } else {
        format!("^{any}*$")
    }
}

/// Why a name cannot be accepted, or `None` when it can.
#[must_use]
pub fn refusal(name: &str) -> Option<String> {
    let c = name.chars().find(|c| is_deceptive(*c))?;
    Some(if c.is_control() {
        format!(
            "contains a control character (U+{:04X}); send plain text",
            u32::from(c)
        )
    } else {
        format!(
            "contains an invisible or direction-changing character (U+{:04X}) that would make it display as something else; send plain text",
            u32::from(c)
        )
    })
}

/// The name with every deceptive character written as `\u{…}`, so what is
/// shown is what is there.
#[must_use]
pub fn escaped(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if is_deceptive(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_in_any_script_pass() {
        for name in [
            "ann",
            "Zoë",
            "محمد",
            "山田",
            "ws-12.lan",
            "CAD Designer 4.2 (x64)",
        ] {
            assert_eq!(refusal(name), None, "{name}");
            assert_eq!(escaped(name), name);
        }
    }

    #[test]
    fn names_that_lie_are_refused_and_escaped() {
        // "ann" followed by a right-to-left override: what follows shows reversed.
        let rlo = "ann\u{202E}exe.txt";
        assert!(
            refusal(rlo).unwrap().contains("U+202E"),
            "{:?}",
            refusal(rlo)
        );
        assert_eq!(escaped(rlo), "ann\\u{202e}exe.txt");
        for bad in [
            "a\u{200B}nn",
            "\u{FEFF}ann",
            "ann\u{2066}",
            "ann\u{E0041}",
            "a\u{0007}",
        ] {
            assert!(refusal(bad).is_some(), "{bad:?}");
            assert!(!escaped(bad).chars().any(is_deceptive), "{bad:?}");
        }
        assert!(refusal("a\nb").unwrap().contains("control character"));
    }

    #[test]
    fn every_control_character_is_deceptive_and_spaces_are_the_visible_white_space() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            if c.is_control() {
                assert!(is_deceptive(c), "{c:?}");
            }
            let space = SPACES.iter().any(|&(lo, hi)| (lo..=hi).contains(&c));
            assert_eq!(space, c.is_whitespace() && !is_deceptive(c), "{c:?}");
        }
    }

    /// The OpenAPI document's pattern says what the server accepts: every
    /// character alone, and after a letter, is matched exactly when the
    /// server would take the name.
    #[test]
    fn the_name_pattern_accepts_what_the_server_accepts() {
        let optional = regex::Regex::new(&name_pattern(false)).unwrap();
        let required = regex::Regex::new(&name_pattern(true)).unwrap();
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let alone = c.to_string();
            let after = format!("a{c}");
            assert_eq!(
                optional.is_match(&alone),
                refusal(&alone).is_none(),
                "{c:?}"
            );
            assert_eq!(
                optional.is_match(&after),
                refusal(&after).is_none(),
                "{c:?}"
            );
            let taken = refusal(&alone).is_none() && !alone.trim().is_empty();
            assert_eq!(required.is_match(&alone), taken, "{c:?}");
            assert_eq!(
                required.is_match(&after),
                refusal(&after).is_none(),
                "{c:?}"
            );
        }
        assert!(optional.is_match(""));
        assert!(!required.is_match(""));
        assert!(!required.is_match(" \u{3000} "));
        assert!(required.is_match(" Zoë 山田 "));
    }
}
