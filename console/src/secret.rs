//! Secrets: generation, hashing, constant-time comparison, and password hashing.
//!
//! Auth tokens (`mat_`), API keys (`mak_`) and session ids are 32 bytes from the OS random number generator,
//! base64url-encoded. The console keeps only their SHA-256, looks a secret up by that hash and then compares the
//! stored hash with the computed one in constant time, so a lookup never depends on a byte-by-byte string compare.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::ConsoleError;

/// Prefix of auth tokens.
pub const TOKEN_PREFIX: &str = "mat_";
/// Prefix of API keys.
pub const API_KEY_PREFIX: &str = "mak_";

/// A fresh secret with the given prefix: 256 bits of OS randomness.
pub fn generate(prefix: &str) -> Result<String, ConsoleError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| ConsoleError::Random(error.to_string()))?;
    Ok(format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
}

/// SHA-256 of a secret, hex-encoded: the only form the store keeps.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Constant-time equality of two hashes.
pub fn hashes_equal(left: &str, right: &str) -> bool {
    left.as_bytes().ct_eq(right.as_bytes()).into()
}

/// An argon2id hash (PHC string) of a password with a random salt.
pub fn hash_password(password: &str) -> Result<String, ConsoleError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|error| ConsoleError::Random(error.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|error| ConsoleError::PasswordHash(error.to_string()))?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| ConsoleError::PasswordHash(error.to_string()))
}

/// Whether `password` matches the PHC string `stored`. A malformed stored hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A valid argon2 hash of a password nobody knows, verified against when an email is unknown so that a sign-in
/// for a missing user costs as much as one for an existing user.
pub fn decoy_password_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        hash_password(&generate("decoy_").unwrap_or_else(|_| "decoy".to_owned()))
            .unwrap_or_else(|_| "$argon2id$v=19$m=19456,t=2,p=1$invalid".to_owned())
    })
}

// The clock as every crate reads it; the console's modules import it from here.
pub use metaapi_protocol::time::now_ms;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_distinct_and_prefixed() {
        let first = generate(TOKEN_PREFIX).unwrap();
        let second = generate(TOKEN_PREFIX).unwrap();
        assert!(first.starts_with("mat_"));
        assert_eq!(first.len(), 4 + 43, "32 bytes base64url without padding is 43 characters");
        assert_ne!(first, second);
    }

    #[test]
    fn hash_is_sha256_hex_and_compares() {
        let digest = hash("abc");
        assert_eq!(digest, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(hashes_equal(&digest, &hash("abc")));
        assert!(!hashes_equal(&digest, &hash("abd")));
    }

    #[test]
    fn passwords_verify_only_when_right() {
        let stored = hash_password("correct horse").unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &stored));
        assert!(!verify_password("wrong horse", &stored));
        assert!(!verify_password("correct horse", "not a phc string"));
        assert!(!verify_password("x", decoy_password_hash()));
    }
}
