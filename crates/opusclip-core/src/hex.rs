//! Lower-case hexadecimal text of bytes: checksums, ids and cache keys are written this way.

/// `bytes` as lower-case hex, two characters a byte.
///
/// ```
/// assert_eq!(opusclip_core::hex(&[0x00, 0xab, 0x7f]), "00ab7f");
/// ```
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}
