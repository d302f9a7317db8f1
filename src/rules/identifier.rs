//! Identifiers that name files or folders of an output (`institution_id`, `track_id`,
//! `center_id`, `owner_id`, `authority_id`, …): data-contract.md, "Rules that apply
//! everywhere". Such a value must be one plain name, so no value from the data can write
//! outside the output directory or take the name of another output (`manifest.json`,
//! `audit.jsonl`, `..`).

/// The longest identifier that may name a file or folder.
pub const MAX_LEN: usize = 64;

/// The rule as the contract writes it, for messages.
pub const PATTERN: &str = "[A-Za-z0-9][A-Za-z0-9_-]{0,63}";

/// True when `v` matches `[A-Za-z0-9][A-Za-z0-9_-]{0,63}`: a letter or digit, then letters,
/// digits, `_` and `-`, at most 64 in all (ASCII only).
pub fn is_safe(v: &str) -> bool {
    let b = v.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_LEN
        && b[0].is_ascii_alphanumeric()
        && b[1..]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_are_safe() {
        for v in [
            "A",
            "7",
            "110001",
            "T1",
            "790224-3-1",
            "center_north",
            "a-b_c",
        ] {
            assert!(is_safe(v), "{v}");
        }
    }

    #[test]
    fn the_longest_safe_name_is_64_characters() {
        assert!(is_safe(&"a".repeat(64)));
        assert!(!is_safe(&"a".repeat(65)));
    }

    #[test]
    fn path_like_and_hidden_names_are_not_safe() {
        for v in [
            "",
            ".",
            "..",
            "../x",
            "../../../x",
            "a/b",
            "a\\b",
            "/abs",
            ".hidden",
            "audit.jsonl",
            "manifest.json",
            "-lead",
            "_lead",
            "a b",
            "a\0b",
            "שלום",
            "C:",
        ] {
            assert!(!is_safe(v), "{v:?}");
        }
    }
}
