//! Text fields (data-contract.md, "Rules that apply everywhere"): a maximum length counted in
//! characters, and no control or bidirectional-override characters. A control character can
//! break a CSV line or a letter's layout; a bidirectional override makes a Hebrew or Arabic
//! name read differently from what it holds ("Trojan Source").

/// The maximum length of a text column whose schema sets none (names and addresses set 200).
pub const DEFAULT_MAX_CHARS: usize = 1000;

/// Characters of a value a reject shows (the rest is cut, so a 100 MB value stays out of the
/// rejects).
pub const SHOWN_CHARS: usize = 80;

/// The forbidden characters, as the contract lists them, for messages.
pub const FORBIDDEN: &str = "U+0000–U+001F, U+007F–U+009F, U+202A–U+202E, U+2066–U+2069";

/// Why a text value is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextError {
    /// The value has `chars` characters, more than the column's maximum.
    TooLong { chars: usize },
    /// The value holds the forbidden character `ch` as its `at`-th character (1-based).
    Control { ch: char, at: usize },
}

impl TextError {
    /// The contract's rule name.
    pub fn rule(self) -> &'static str {
        match self {
            TextError::TooLong { .. } => "text_too_long",
            TextError::Control { .. } => "text_control_character",
        }
    }

    /// One sentence naming the column, the limit and what the value holds.
    pub fn message(self, column: &str, max_chars: usize) -> String {
        match self {
            TextError::TooLong { chars } => {
                format!("`{column}` has {chars} characters; at most {max_chars} are allowed")
            }
            TextError::Control { ch, at } => format!(
                "`{column}` holds the control character {} at character {at}; control and \
                 bidirectional-override characters ({FORBIDDEN}) are not allowed",
                code_point(ch)
            ),
        }
    }
}

/// A control character (U+0000–U+001F, U+007F–U+009F) or a bidirectional override or isolate
/// (U+202A–U+202E, U+2066–U+2069).
pub fn is_forbidden(ch: char) -> bool {
    matches!(ch, '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether a byte may begin a forbidden character: below 0x20, 0x7F, or the lead bytes 0xC2
/// and 0xE2 (never continuation bytes, so no byte of a Hebrew or Arabic letter, D7–D9 xx).
#[cfg(test)]
fn suspect(c: u8) -> bool {
    c < 0x20 || c == 0x7f || c == 0xc2 || c == 0xe2
}

/// Eight bytes at a time (SWAR): a 64-bit word whose high bit is set in some byte exactly
/// when one of the word's bytes is `suspect` (the usual "has zero byte" and "has byte less
/// than" tricks; which bytes are flagged may be off, whether any is, is exact).
#[inline]
fn suspect_word(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |y: u64| y.wrapping_sub(ONES) & !y & HIGH;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
    below_space | zero(x ^ (ONES * 0x7f)) | zero(x ^ (ONES * 0xc2)) | zero(x ^ (ONES * 0xe2))
}

/// Whether any byte of `b` is `suspect`, eight at a time; the last word overlaps the one
/// before (a byte tested twice is found once), and values of 4–7 bytes take two overlapping
/// halves, so no value is copied or padded.
#[inline]
fn any_suspect(b: &[u8]) -> bool {
    let word = |at: usize| {
        b.get(at..)
            .and_then(<[u8]>::first_chunk::<8>)
            .map_or(0, |w| suspect_word(u64::from_le_bytes(*w)))
    };
    let half = |at: usize| {
        b.get(at..)
            .and_then(<[u8]>::first_chunk::<4>)
            .map_or(0, |w| u64::from(u32::from_le_bytes(*w)))
    };
    let n = b.len();
    match n {
        0..=3 => b
            .iter()
            .any(|&c| c < 0x20 || c == 0x7f || c == 0xc2 || c == 0xe2),
        4..=7 => suspect_word(half(0) | half(n - 4) << 32) != 0,
        _ => {
            let mut found = 0;
            let mut at = 0;
            while at + 8 <= n {
                found |= word(at);
                at += 8;
            }
            if at < n {
                found |= word(n - 8);
            }
            found != 0
        }
    }
}

/// Whether the UTF-8 bytes `b` hold a forbidden character: a byte below 0x20 or 0x7F, C2 80–9F
/// (U+0080–U+009F), E2 80 AA–AE (U+202A–U+202E) or E2 81 A6–A9 (U+2066–U+2069). No other
/// character's encoding holds these sequences, so the bytes need not be decoded.
fn has_forbidden(b: &[u8]) -> bool {
    b.iter().enumerate().any(|(i, &c)| match c {
        0..=0x1f | 0x7f => true,
        0xc2 => matches!(b.get(i + 1), Some(0x80..=0x9f)),
        0xe2 => matches!(
            (b.get(i + 1), b.get(i + 2)),
            (Some(0x80), Some(0xaa..=0xae)) | (Some(0x81), Some(0xa6..=0xa9))
        ),
        _ => false,
    })
}

/// Checks a value against the text rules: at most `max_chars` characters (not bytes: a Hebrew
/// letter is one), no forbidden character. The length is checked first. A value of no more
/// bytes than the limit and no `suspect` byte (nearly every value: names, IDs, codes) takes
/// one branch-free pass over its bytes.
pub fn check(v: &str, max_chars: usize) -> Result<(), TextError> {
    let b = v.as_bytes();
    if b.len() <= max_chars && !any_suspect(b) {
        return Ok(());
    }
    // A value of no more bytes than the limit has no more characters either.
    if b.len() > max_chars {
        let chars = b.iter().filter(|&&c| (c as i8) >= -0x40).count();
        if chars > max_chars {
            return Err(TextError::TooLong { chars });
        }
    }
    if has_forbidden(b) {
        if let Some((at, ch)) = v.chars().enumerate().find(|&(_, ch)| is_forbidden(ch)) {
            return Err(TextError::Control { ch, at: at + 1 });
        }
    }
    Ok(())
}

/// `U+202E` for a character.
pub fn code_point(ch: char) -> String {
    format!("U+{:04X}", u32::from(ch))
}

/// A value as a reject shows it: at most `SHOWN_CHARS` characters (then "…"), each forbidden
/// character written as `<U+XXXX>`, so that the rejects file holds neither a huge value nor
/// the characters the rule keeps out.
pub fn shown(v: &str) -> std::borrow::Cow<'_, str> {
    if v.len() <= SHOWN_CHARS && !has_forbidden(v.as_bytes()) {
        return v.into();
    }
    let mut out = String::new();
    for (i, ch) in v.chars().enumerate() {
        if i == SHOWN_CHARS {
            out.push('…');
            break;
        }
        if is_forbidden(ch) {
            out.push('<');
            out.push_str(&code_point(ch));
            out.push('>');
        } else {
            out.push(ch);
        }
    }
    out.into()
}

/// The values of a `;`-joined list cell (data-contract.md, type `list`), trimmed, empty parts
/// left out: `" illness; twin_accepted;;"` lists `illness` and `twin_accepted`.
pub fn list(cell: Option<&str>) -> impl Iterator<Item = &str> {
    cell.unwrap_or("")
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_characters_not_bytes() {
        assert_eq!(check(&"a".repeat(200), 200), Ok(()));
        assert_eq!(
            check(&"a".repeat(201), 200),
            Err(TextError::TooLong { chars: 201 })
        );
        // Hebrew letters are two bytes each: 200 of them are 400 bytes and still 200 characters.
        let hebrew = "ש".repeat(200);
        assert_eq!(hebrew.len(), 400);
        assert_eq!(check(&hebrew, 200), Ok(()));
        assert_eq!(
            check(&format!("{hebrew}ש"), 200),
            Err(TextError::TooLong { chars: 201 })
        );
        // Four-byte characters count once too.
        assert_eq!(check(&"😀".repeat(200), 200), Ok(()));
        assert_eq!(check("", 200), Ok(()));
    }

    #[test]
    fn control_and_bidi_characters_are_refused_with_their_position() {
        let bidi = ['\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}'];
        let isolates = ['\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'];
        let controls = [
            '\0', '\t', '\n', '\r', '\u{1f}', '\u{7f}', '\u{80}', '\u{9f}',
        ];
        for ch in bidi.into_iter().chain(isolates).chain(controls) {
            let v = format!("נו{ch}עה");
            assert_eq!(
                check(&v, 200),
                Err(TextError::Control { ch, at: 3 }),
                "{}",
                code_point(ch)
            );
            assert_eq!(
                check(&format!("ab{ch}"), 200),
                Err(TextError::Control { ch, at: 3 })
            );
        }
    }

    #[test]
    fn neighbours_of_the_forbidden_characters_are_accepted() {
        // U+00A0 (C2 A0), U+2029 (E2 80 A9), U+202F (E2 80 AF), U+2065, U+206A, Hebrew and
        // Arabic letters, the Hebrew maqaf and geresh, the RLM/LRM marks (not overrides).
        for v in [
            "a\u{a0}b",
            "\u{2029}",
            "\u{202f}",
            "\u{2065}",
            "\u{206a}",
            "בית־ספר",
            "ג׳ורג׳",
            "مدرسة النور",
            "a\u{200f}b\u{200e}",
            "~ !",
        ] {
            assert_eq!(check(v, 200), Ok(()), "{v:?}");
        }
    }

    #[test]
    fn the_word_test_finds_exactly_the_suspect_bytes() {
        // Every byte at every position of a word, among bytes that are not suspect ...
        for c in 0..=255u8 {
            for at in 0..19 {
                let mut v = [b'a'; 19];
                v[at] = c;
                assert_eq!(any_suspect(&v[..]), suspect(c), "{c:#x} at {at}");
                assert_eq!(
                    any_suspect(&v[..=at]),
                    suspect(c),
                    "{c:#x} last of {}",
                    at + 1
                );
            }
        }
        // ... and next to bytes that are high, where borrows could hide or invent one.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = x.to_le_bytes();
            let n = (x >> 60) as usize % 9;
            assert_eq!(
                any_suspect(&v[..n]),
                v[..n].iter().any(|&c| suspect(c)),
                "{v:?}[..{n}]"
            );
        }
    }

    #[test]
    fn too_long_is_found_before_a_control_character() {
        let v = format!("\t{}", "a".repeat(300));
        assert_eq!(check(&v, 200), Err(TextError::TooLong { chars: 301 }));
    }

    #[test]
    fn a_shown_value_is_cut_and_escaped() {
        assert_eq!(shown("Noa"), "Noa");
        let long = "ש".repeat(1_000_000);
        let s = shown(&long);
        assert_eq!(s.chars().count(), SHOWN_CHARS + 1);
        assert!(s.ends_with('…'));
        assert_eq!(shown("a\u{202e}b\tc"), "a<U+202E>b<U+0009>c");
        let exact = "a".repeat(SHOWN_CHARS);
        assert_eq!(shown(&exact), exact);
    }

    #[test]
    fn messages_name_the_column_limit_and_length() {
        let m = TextError::TooLong { chars: 1_048_576 }.message("first_name", 200);
        assert_eq!(
            m,
            "`first_name` has 1048576 characters; at most 200 are allowed"
        );
        let m = TextError::Control {
            ch: '\u{202e}',
            at: 4,
        }
        .message("last_name", 200);
        assert!(m.starts_with("`last_name` holds the control character U+202E at character 4"));
    }

    #[test]
    fn list_cells_split_on_semicolons() {
        assert_eq!(
            list(Some(" illness; twin_accepted;;")).collect::<Vec<_>>(),
            ["illness", "twin_accepted"]
        );
        assert_eq!(list(Some(" ; ")).count(), 0);
        assert_eq!(list(None).count(), 0);
    }
}
