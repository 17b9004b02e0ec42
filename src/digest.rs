//! SHA-256 digests of inputs (responses files, codebooks, count tables), in hex, as the
//! outputs record them.

use sha2::Digest;

/// A running SHA-256 of bytes seen so far.
#[derive(Default, Clone)]
pub struct Sha256(sha2::Sha256);

impl Sha256 {
    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest in lower-case hex.
    pub fn hex(self) -> String {
        hex(&self.0.finalize())
    }
}

/// The lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha2::Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    use std::fmt::Write as _;
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_the_published_test_vector() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let mut h = super::Sha256::default();
        h.update(b"a");
        h.update(b"bc");
        assert_eq!(h.hex(), super::sha256_hex(b"abc"));
    }
}
