//! Sorting by text without comparing whole strings: the first 16 bytes of a string, read as a
//! big-endian number (zero-padded), order strings as `str::cmp` does whenever they differ;
//! only strings sharing those 16 bytes are compared in full.

/// The first 16 bytes of `s`, big-endian, zero-padded.
pub fn prefix(s: &str) -> u128 {
    let b = s.as_bytes();
    let mut buf = [0u8; 16];
    let n = b.len().min(16);
    buf[..n].copy_from_slice(&b[..n]);
    u128::from_be_bytes(buf)
}

/// Orders `a` and `b` (whose prefixes are `pa` and `pb`) as `a.cmp(b)`: strings of at most
/// 16 bytes with equal prefixes differ only in trailing NUL bytes, so their lengths decide.
pub fn cmp_prefixed(pa: u128, a: &str, pb: u128, b: &str) -> std::cmp::Ordering {
    pa.cmp(&pb).then_with(|| {
        if a.len() <= 16 && b.len() <= 16 {
            a.len().cmp(&b.len())
        } else {
            a.cmp(b)
        }
    })
}

/// Sorts `v` by the text key `key` (then by `tie` for equal keys), as
/// `v.sort_by(|a, b| key(a).cmp(key(b)).then_with(|| tie(a, b)))` would, with the prefixes
/// computed once. Stable.
pub fn sort_by_text<T>(
    v: &mut Vec<T>,
    key: impl Fn(&T) -> &str,
    tie: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    let mut keyed: Vec<(u128, T)> = v.drain(..).map(|x| (prefix(key(&x)), x)).collect();
    keyed
        .sort_by(|(pa, a), (pb, b)| cmp_prefixed(*pa, key(a), *pb, key(b)).then_with(|| tie(a, b)));
    v.extend(keyed.into_iter().map(|(_, x)| x));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn prefixes_order_as_strings_do(a in "[\\x00-\\x7f\u{5d0}-\u{5ea}]{0,20}", b in "[\\x00-\\x7f\u{5d0}-\u{5ea}]{0,20}") {
            if prefix(&a) != prefix(&b) {
                prop_assert_eq!(prefix(&a).cmp(&prefix(&b)), a.cmp(&b));
            }
        }

        #[test]
        fn sort_by_text_sorts_as_str_does(mut v in proptest::collection::vec(("[ab\\x00]{0,18}", 0..3i32), 0..40)) {
            let mut want = v.clone();
            want.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
            sort_by_text(&mut v, |x| x.0.as_str(), |a, b| a.1.cmp(&b.1));
            prop_assert_eq!(v, want);
        }
    }

    proptest! {
        #[test]
        fn cmp_prefixed_is_str_cmp(a in "[ab\x00]{0,18}", b in "[ab\x00]{0,18}") {
            prop_assert_eq!(cmp_prefixed(prefix(&a), &a, prefix(&b), &b), a.cmp(&b));
        }
    }

    #[test]
    fn shorter_prefix_sorts_first() {
        assert!(prefix("ab") < prefix("abc"));
        assert!(prefix("10") < prefix("9"));
        assert_eq!(prefix("ab"), prefix("ab\0")); // decided by the full strings
    }
}
