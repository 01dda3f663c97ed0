//! Content hash of a media file: SHA-256 over the size and sixteen 1 MiB samples spread over
//! the file. It names caches and ClipSpecs; sampling keeps it fast on multi-gigabyte inputs
//! (an edit anywhere a sample lands, or any change of size, changes it).

use opusclip_core::{Error, Result};
use sha2::{Digest, Sha256};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

const SAMPLE_COUNT: u64 = 16;
const SAMPLE_BYTES: u64 = 1 << 20;

/// Hex SHA-256 of the file's size and sampled content.
pub fn content_hash(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    let size = file.metadata().map_err(|e| Error::io("stat", path, e))?.len();
    let mut hasher = Sha256::new();
    hasher.update(size.to_le_bytes());
    let mut buffer = vec![0u8; SAMPLE_BYTES as usize];
    if size <= SAMPLE_COUNT * SAMPLE_BYTES {
        let mut all = Vec::with_capacity(size as usize);
        file.read_to_end(&mut all).map_err(|e| Error::io("read", path, e))?;
        hasher.update(&all);
    } else {
        let stride = (size - SAMPLE_BYTES) / (SAMPLE_COUNT - 1);
        for index in 0..SAMPLE_COUNT {
            file.seek(SeekFrom::Start(index * stride)).map_err(|e| Error::io("seek", path, e))?;
            file.read_exact(&mut buffer).map_err(|e| Error::io("read", path, e))?;
            hasher.update(&buffer);
        }
    }
    Ok(hex(&hasher.finalize()))
}

use opusclip_core::hex;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_changes_with_content_and_is_stable() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.bin");
        std::fs::write(&a, b"hello").unwrap();
        let first = content_hash(&a).unwrap();
        assert_eq!(first, content_hash(&a).unwrap());
        std::fs::write(&a, b"hellp").unwrap();
        assert_ne!(first, content_hash(&a).unwrap());
        assert_eq!(first.len(), 64);
    }

    #[test]
    fn large_files_are_sampled() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.bin");
        let mut data = vec![7u8; (SAMPLE_COUNT * SAMPLE_BYTES + 12345) as usize];
        std::fs::write(&big, &data).unwrap();
        let first = content_hash(&big).unwrap();
        data[0] = 8;
        std::fs::write(&big, &data).unwrap();
        assert_ne!(first, content_hash(&big).unwrap());
    }
}
