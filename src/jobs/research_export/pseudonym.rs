//! Pseudonyms (docs/research-export.md §2): every person ID becomes
//! HMAC-SHA256(key, "student:" ‖ id), truncated to its first 16 bytes, in lowercase hex (32
//! characters). A plain hash of a 9-digit ID is reversed by hashing all billion IDs, which
//! takes seconds; a keyed hash cannot be reversed or recomputed without the key. The same key
//! gives the same pseudonym every year (panels link); another key gives unlinkable data.
use hmac::{Hmac, Mac};
use serde::{Serialize, Serializer};
use sha2::Sha256;

/// Bytes of the HMAC kept (128 bits: no two of the nation's IDs meet by chance).
pub const PSEUDONYM_BYTES: usize = 16;
/// The smallest key accepted (256 bits, the size of SHA-256's output).
pub const MIN_KEY_BYTES: usize = 32;

/// A pseudonym as its 16 bytes. Ordered as its bytes, which is the order of its hex text (each
/// byte two lowercase hex digits, `0`–`9` before `a`–`f`): rows sorted by it are sorted by
/// `student_pid`, with fixed-size keys compared instead of texts. Serialized as the hex text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pid(pub [u8; PSEUDONYM_BYTES]);

impl Pid {
    /// The pseudonym as written: lowercase hex, 32 characters.
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl Serialize for Pid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.hex())
    }
}

/// Makes pseudonyms with one key. The key lives only inside the HMAC state; `Debug` does not
/// show it.
#[derive(Clone)]
pub struct Pseudonymizer {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymizer(<key not shown>)")
    }
}

impl Pseudonymizer {
    /// `None` when the key is shorter than [`MIN_KEY_BYTES`].
    pub fn new(key: &[u8]) -> Option<Self> {
        if key.len() < MIN_KEY_BYTES {
            return None;
        }
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
        Some(Pseudonymizer { mac })
    }

    /// The pseudonym of the student with ID `id`, as its bytes.
    pub fn pid(&self, id: &str) -> Pid {
        let mut mac = self.mac.clone();
        mac.update(b"student:");
        mac.update(id.as_bytes());
        let tag = mac.finalize().into_bytes();
        let mut bytes = [0u8; PSEUDONYM_BYTES];
        bytes.copy_from_slice(&tag[..PSEUDONYM_BYTES]);
        Pid(bytes)
    }

    /// The pseudonym of the student with ID `id`, as written (hex).
    pub fn student(&self, id: &str) -> String {
        self.pid(id).hex()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_of_the_prefixed_id_truncated_to_16_bytes() {
        // Computed outside itur, with Python's hmac module:
        // hmac.new(b"Jefe" * 8, b"student:000000018", "sha256").hexdigest()[:32]
        let p = Pseudonymizer::new(&b"Jefe".repeat(8)).unwrap();
        assert_eq!(p.student("000000018"), "6fd0130cbd2b471d2fc44bfa90e909ff");
    }

    #[test]
    fn same_key_same_pseudonym_other_key_other() {
        let a = Pseudonymizer::new(&[7u8; 32]).unwrap();
        let b = Pseudonymizer::new(&[7u8; 32]).unwrap();
        let c = Pseudonymizer::new(&[8u8; 32]).unwrap();
        assert_eq!(a.student("000000018"), b.student("000000018"));
        assert_ne!(a.student("000000018"), c.student("000000018"));
        assert_ne!(a.student("000000018"), a.student("000000026"));
        // Not the ID, nor its plain hash.
        assert!(!a.student("000000018").contains("000000018"));
    }

    #[test]
    fn pseudonyms_order_as_their_hex_text() {
        let p = Pseudonymizer::new(&[5u8; 32]).unwrap();
        let mut pids: Vec<Pid> = (0..200).map(|i| p.pid(&format!("{i:09}"))).collect();
        // Bytes whose digits are letters and numbers at the same place.
        pids.push(Pid([0x0a; 16]));
        pids.push(Pid([0x09; 16]));
        pids.push(Pid([0xa0; 16]));
        pids.push(Pid([0x9f; 16]));
        let mut by_hex: Vec<String> = pids.iter().map(Pid::hex).collect();
        by_hex.sort();
        pids.sort();
        assert_eq!(pids.iter().map(Pid::hex).collect::<Vec<_>>(), by_hex);
        assert_eq!(p.pid("000000018").hex(), p.student("000000018"));
        assert_eq!(
            serde_json::to_string(&Pid([0xab; 16])).unwrap(),
            format!("\"{}\"", "ab".repeat(16))
        );
    }

    #[test]
    fn short_keys_are_refused() {
        assert!(Pseudonymizer::new(&[1u8; 31]).is_none());
        assert!(Pseudonymizer::new(&[1u8; 32]).is_some());
        assert_eq!(
            format!("{:?}", Pseudonymizer::new(&[1u8; 32]).unwrap()),
            "Pseudonymizer(<key not shown>)"
        );
    }
}
