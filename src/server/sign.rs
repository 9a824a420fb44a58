//! Signed annotator links, for in-house pools: with `--annotator-secret`
//! the collector takes an annotator id only with its signature,
//! `sig = hex(HMAC-SHA256(secret, annotator_id))`, given as the `sig`
//! query parameter or the `X-Prefkit-Sig` header. `prefkit sign` prints the
//! signatures. Without a secret the collector stays open (crowd platforms
//! append worker ids that no one can sign).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header that carries a signature.
pub const HEADER: &str = "x-prefkit-sig";

/// The hex signature of `annotator` under `secret`.
pub fn sign(secret: &[u8], annotator: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        // HMAC takes keys of any length; this cannot fail.
        return String::new();
    };
    mac.update(annotator.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Checks `sig` (hex, either case) for `annotator`, in constant time.
pub fn verify(secret: &[u8], annotator: &str, sig: &str) -> bool {
    let Some(bytes) = unhex(sig.trim()) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(annotator.as_bytes());
    mac.verify_slice(&bytes).is_ok()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
    #[test]
    fn the_signature_is_hmac_sha256_as_rfc_4231_computes_it() {
        assert_eq!(
            sign(b"Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_signature_checks_for_its_id_only() {
        let sig = sign(b"s3cret", "w1");
        assert!(verify(b"s3cret", "w1", &sig));
        assert!(verify(b"s3cret", "w1", &sig.to_uppercase()));
        assert!(!verify(b"s3cret", "w2", &sig));
        assert!(!verify(b"other", "w1", &sig));
        assert!(!verify(b"s3cret", "w1", "zz"));
        assert!(!verify(b"s3cret", "w1", ""));
    }
}
