use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::ids::TokenId;
use super::role::Role;

const PREFIX: &str = "mst_";
const SECRET_BYTES: usize = 32;
pub const NAME_MAX: usize = 100;

/// A bearer secret as handed to its owner once. Never stored, never logged.
pub struct TokenSecret(String);

impl TokenSecret {
    /// 32 bytes from the operating system's generator; a prefix makes leaked tokens greppable.
    pub fn generate() -> TokenSecret {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        TokenSecret(format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret(***)")
    }
}

/// The SHA-256 of a secret, hex-encoded: what the database keeps and looks up. A plain fast
/// hash is enough because secrets carry 256 bits of entropy; looking tokens up by hash also means
/// no secret is ever compared byte by byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHash(pub String);

impl TokenHash {
    pub fn of(presented: &str) -> TokenHash {
        let digest = Sha256::digest(presented.as_bytes());
        TokenHash(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// Who is calling, once their token checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub token_id: Option<TokenId>,
    pub name: String,
    pub role: Role,
}

impl Actor {
    /// The command line acts as the operator who can run the binary.
    pub fn command_line() -> Actor {
        Actor {
            token_id: None,
            name: "command-line".into(),
            role: Role::Admin,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: TokenId,
    pub name: String,
    pub role: Role,
    pub created_at: chrono::NaiveDateTime,
    pub revoked_at: Option<chrono::NaiveDateTime>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_hashed() {
        let a = TokenSecret::generate();
        let b = TokenSecret::generate();
        assert_ne!(a.expose(), b.expose());
        assert!(a.expose().starts_with("mst_"));
        assert_eq!(a.expose().len(), 4 + 43);
        assert_eq!(a.hash(), TokenHash::of(a.expose()));
        assert_eq!(a.hash().0.len(), 64);
        assert!(!format!("{a:?}").contains(&a.expose()[4..]));
    }
}
