//! Text that people read: names sent by clients (user, host, client id,
//! application) and names found on the network. Control characters,
//! bidirectional overrides and invisible characters can make a name lie
//! about itself on screen and in logs ("ann" that is not ann, a host whose
//! letters display reversed), so such names are refused at the door, and
//! names that cannot be refused are shown with those characters escaped.

/// Whether `c` changes how text around it displays, or cannot be seen:
/// control characters, bidirectional controls, zero-width and other
/// invisible format characters, and tag characters.
#[must_use]
pub fn is_deceptive(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'                  // soft hyphen
            | '\u{034F}'                // combining grapheme joiner
            | '\u{061C}'                // Arabic letter mark
            | '\u{115F}' | '\u{1160}'   // Hangul fillers
            | '\u{17B4}' | '\u{17B5}'   // Khmer inherent vowels
            | '\u{180B}'..='\u{180F}'   // Mongolian variation selectors, vowel separator
            | '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
            | '\u{2028}'..='\u{202E}'   // line/paragraph separators, bidi embeddings and overrides
            | '\u{2060}'..='\u{206F}'   // word joiner, invisible operators, bidi isolates
            | '\u{3164}'                // Hangul filler
            | '\u{FE00}'..='\u{FE0F}'   // variation selectors
            | '\u{FEFF}'                // zero-width no-break space (BOM)
            | '\u{FFA0}'                // halfwidth Hangul filler
            | '\u{FFF9}'..='\u{FFFB}'   // interlinear annotation controls
            | '\u{1D173}'..='\u{1D17A}' // musical formatting controls
            | '\u{E0000}'..='\u{E007F}' // tag characters
            | '\u{E0100}'..='\u{E01EF}' // variation selectors supplement
        )
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
}
