//! Small helpers shared by the service: random ids, the clock, SHA-256 and HMAC in hex,
//! and safe names for files.

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

/// `bytes` random bytes from the operating system, as lower-case hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    // The OS generator only fails on exotic platforms; fall back to the clock and a counter.
    if getrandom::getrandom(&mut buffer).is_err() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let seed = format!("{}-{}-{}", now_ms(), std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let digest = Sha256::digest(seed.as_bytes());
        for (index, byte) in buffer.iter_mut().enumerate() {
            *byte = digest[index % digest.len()];
        }
    }
    hex(&buffer)
}

/// A new job id (24 hex characters).
pub fn new_id() -> String {
    random_hex(12)
}

/// Lower-case hex of `bytes`.
pub use opusclip_core::hex;

/// Hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// HMAC-SHA256 of `message` under `key`, raw bytes.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Compare two byte strings in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A file extension that is safe to keep: 1–5 ASCII letters or digits, lower-cased.
pub fn safe_extension(filename: &str) -> Option<String> {
    let (_, extension) = filename.rsplit_once('.')?;
    let extension = extension.to_ascii_lowercase();
    (!extension.is_empty() && extension.len() <= 5 && extension.chars().all(|c| c.is_ascii_alphanumeric()))
        .then_some(extension)
}

/// Is `name` a plain file name we produced (letters, digits, `-`, `_`, `.`, not starting with a dot)?
pub fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_hex() {
        let (a, b) = (new_id(), new_id());
        assert_eq!(a.len(), 24);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn names_are_sanitised() {
        assert_eq!(safe_extension("talk.MP4").as_deref(), Some("mp4"));
        assert_eq!(safe_extension("../../etc/passwd"), None);
        assert_eq!(safe_extension("a.tar.gz;rm"), None);
        assert!(is_plain_file_name("clip-01.1x1.mp4"));
        for bad in ["../x", ".hidden", "a/b", "", "a b"] {
            assert!(!is_plain_file_name(bad), "{bad}");
        }
        assert!(constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abd"));
    }
}
