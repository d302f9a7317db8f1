//! The seeded lottery that orders equal composites (gifted.md §4, "Ranking").
//!
//! A candidate's lottery number is the first 8 bytes of SHA-256(`seed` ‖ ":" ‖ `student_id`),
//! read as an unsigned big-endian integer; lower numbers rank first. The seed is published
//! each year (pipeline key `lottery_seed`), so anyone can recompute every number, and a
//! student's number does not depend on who else applied or on the input row order.

use sha2::{Digest, Sha256};

/// First 8 bytes of SHA-256(`seed` ‖ ":" ‖ `student_id`), big-endian.
pub fn lottery_number(seed: &str, student_id: &str) -> u64 {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update(b":");
    h.update(student_id.as_bytes());
    let digest = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values computed independently with:
    // python3 -c "import hashlib; print(int.from_bytes(hashlib.sha256(b'itur:000000018').digest()[:8], 'big'))"
    #[test]
    fn matches_an_independent_sha256() {
        assert_eq!(lottery_number("itur", "000000018"), 10584825029657520215);
        // python3 -c "import hashlib; print(int.from_bytes(hashlib.sha256(b'itur:123456782').digest()[:8], 'big'))"
        assert_eq!(lottery_number("itur", "123456782"), 2820571366754014005);
        // python3 -c "import hashlib; print(int.from_bytes(hashlib.sha256(b'2027-seed:000000018').digest()[:8], 'big'))"
        assert_eq!(
            lottery_number("2027-seed", "000000018"),
            9363552791954988967
        );
        // python3 -c "import hashlib; print(int.from_bytes(hashlib.sha256(b':').digest()[:8], 'big'))"
        assert_eq!(lottery_number("", ""), 16693726192583184368);
    }

    #[test]
    fn separator_matters() {
        // The hashed text is exactly seed ‖ ":" ‖ student_id: "it:ur:x" ≠ "itur:x", and
        // ("a:b", "c") and ("a", "b:c") both hash "a:b:c".
        assert_ne!(lottery_number("it", "ur:x"), lottery_number("itur", "x"));
        assert_eq!(lottery_number("a:b", "c"), lottery_number("a", "b:c"));
        assert_ne!(
            lottery_number("itur", "000000018"),
            lottery_number("itur2", "000000018")
        );
    }
}
