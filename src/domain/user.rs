//! People who sign in to the web app: a username, a display name, a role (the tokens' roles) and
//! a password kept only as an Argon2id hash.

use std::sync::{Condvar, Mutex, OnceLock};

use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use chrono::NaiveDateTime;
use rand::RngCore;

use super::ids::UserId;
use super::role::Role;
use super::validation::FieldError;

pub const USERNAME_MAX: usize = 64;
pub const DISPLAY_NAME_MAX: usize = 100;
pub const PASSWORD_MIN: usize = 12;
/// Argon2 takes any length; a bound keeps a sign-in from hashing megabytes.
pub const PASSWORD_MAX: usize = 1024;
/// Failed sign-ins in a row before the account waits `LOCK_MINUTES`.
pub const SIGN_IN_ATTEMPTS: i32 = 5;
pub const LOCK_MINUTES: i64 = 15;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: NaiveDateTime,
}

/// A username: 2–64 of a–z, 0–9, `.`, `_`, `-`, kept lower case (so `Marie` and `marie` are one).
pub fn parse_username(field: &str, text: &str) -> Result<String, FieldError> {
    let name = text.trim().to_lowercase();
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
    if !(2..=USERNAME_MAX).contains(&name.chars().count()) || !name.chars().all(allowed) {
        return Err(FieldError::new(
            field,
            format!("must be 2 to {USERNAME_MAX} letters a-z, digits, '.', '_' or '-'"),
        ));
    }
    Ok(name)
}

/// A password as typed: never logged, never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// A new password: at least 12 characters (a passphrase) besides spaces at either end, at
    /// most 1024.
    pub fn new(field: &str, text: &str) -> Result<Password, FieldError> {
        if text.trim().chars().count() < PASSWORD_MIN {
            return Err(FieldError::new(
                field,
                format!("must be at least {PASSWORD_MIN} characters (spaces at either end do not count)"),
            ));
        }
        let length = text.chars().count();
        if length > PASSWORD_MAX {
            return Err(FieldError::new(
                field,
                format!("must be at most {PASSWORD_MAX} characters"),
            ));
        }
        Ok(Password(text.to_owned()))
    }

    /// A password as presented at sign-in: checked against the hash whatever its length.
    pub fn presented(text: &str) -> Password {
        Password(text.chars().take(PASSWORD_MAX).collect())
    }

    /// Argon2id (the crate's defaults: 19 MiB, 2 passes) with a random 16-byte salt, as a PHC string.
    pub fn hash(&self) -> PasswordHash {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let params = Params::default();
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        // Default parameters, a 16-byte salt and a password of at most 1024 characters cannot
        // fail; an empty hash (never matched) rather than a panic if it ever did.
        if argon2id(&params, self.0.as_bytes(), &salt, &mut out).is_err() {
            return PasswordHash(String::new());
        }
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes);
        PasswordHash(format!(
            "$argon2id$v=19$m={},t={},p={}${}${}",
            params.m_cost(),
            params.t_cost(),
            params.p_cost(),
            b64(&salt),
            b64(&out)
        ))
    }

    pub fn matches(&self, hash: &PasswordHash) -> bool {
        let Ok(parsed) = argon2::password_hash::PasswordHash::new(&hash.0) else {
            return false;
        };
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return false;
        };
        let mut salt_bytes = [0u8; 64];
        let (Ok(params), Ok(salt)) = (Params::try_from(&parsed), salt.decode_b64(&mut salt_bytes)) else {
            return false;
        };
        if Algorithm::try_from(parsed.algorithm) != Ok(Algorithm::Argon2id) || expected.len() > 64 {
            return false;
        }
        let mut out = [0u8; 64];
        let out = &mut out[..expected.len()];
        argon2id(&params, self.0.as_bytes(), salt, out).is_ok()
            && argon2::password_hash::Output::new(out).is_ok_and(|computed| computed == expected)
    }
}

/// A real Argon2id hash no password opens: an unknown username is checked against it, so a
/// refusal takes as long whether the username exists or not.
pub fn dummy_hash() -> &'static PasswordHash {
    static DUMMY: OnceLock<PasswordHash> = OnceLock::new();
    DUMMY.get_or_init(|| Password::presented(&random_token()).hash())
}

/// Argon2's working memory (19 MiB a hash) comes from a pool of one buffer per core: at most
/// that many hashes run at once however many sign-ins arrive together, each waiting its turn,
/// and the memory is allocated once rather than per hash (150 simultaneous sign-ins once took
/// the process to 700 MB).
struct HashMemory {
    free: Mutex<(Vec<Vec<Block>>, usize)>,
    returned: Condvar,
}

fn hash_memory() -> &'static HashMemory {
    static POOL: OnceLock<HashMemory> = OnceLock::new();
    POOL.get_or_init(|| HashMemory {
        free: Mutex::new((Vec::new(), 0)),
        returned: Condvar::new(),
    })
}

/// How many hashes may run at once: the cores.
fn hash_slots() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn argon2id(params: &Params, password: &[u8], salt: &[u8], out: &mut [u8]) -> argon2::Result<()> {
    let pool = hash_memory();
    let mut blocks = {
        let mut free = pool.free.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(blocks) = free.0.pop() {
                break blocks;
            }
            if free.1 < hash_slots() {
                free.1 += 1;
                break Vec::new();
            }
            free = pool.returned.wait(free).unwrap_or_else(|e| e.into_inner());
        }
    };
    blocks.resize(params.block_count(), Block::default());
    let hashed = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()).hash_password_into_with_memory(
        password,
        salt,
        out,
        &mut blocks[..],
    );
    pool.free.lock().unwrap_or_else(|e| e.into_inner()).0.push(blocks);
    pool.returned.notify_one();
    hashed
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordHash(pub String);

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password: Password,
}

#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub password: Option<Password>,
}

/// A web session ends after this long without a request.
pub const SESSION_IDLE_MINUTES: i64 = 30;

/// Whether a session last seen at `last_seen` has expired by `now`.
pub fn session_expired(last_seen: NaiveDateTime, now: NaiveDateTime) -> bool {
    now - last_seen > chrono::Duration::minutes(SESSION_IDLE_MINUTES)
}

/// Until when an account waits once `SIGN_IN_ATTEMPTS` sign-ins in a row have been tried.
pub fn locked_until(now: NaiveDateTime) -> NaiveDateTime {
    now + chrono::Duration::minutes(LOCK_MINUTES)
}

/// A random value for a cookie or a form (32 bytes, URL-safe base64).
pub fn random_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_attempts_lock_the_account_for_fifteen_minutes() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        assert_eq!(SIGN_IN_ATTEMPTS, 5);
        assert_eq!(locked_until(now), now + chrono::Duration::minutes(15));
        assert!(!session_expired(now, now + chrono::Duration::minutes(30)));
        assert!(session_expired(now, now + chrono::Duration::minutes(31)));
    }

    #[test]
    fn usernames_are_lower_case_and_plain() {
        assert_eq!(parse_username("username", " Marie.Curie ").unwrap(), "marie.curie");
        assert!(parse_username("username", "a").is_err());
        assert!(parse_username("username", "marie curie").is_err());
        assert!(parse_username("username", "élodie").is_err());
    }

    #[test]
    fn a_password_is_long_and_only_its_hash_is_kept() {
        assert_eq!(
            Password::new("password", "short").unwrap_err().message,
            "must be at least 12 characters (spaces at either end do not count)"
        );
        assert!(Password::new("password", &" ".repeat(12)).is_err(), "twelve spaces");
        assert!(Password::new("password", "   short pass   ").is_err());
        let password = Password::new("password", "correct horse battery").unwrap();
        let hash = password.hash();
        assert!(hash.0.starts_with("$argon2id$v=19$"), "{}", hash.0);
        assert!(!hash.0.contains("correct horse"));
        assert!(password.matches(&hash));
        assert!(!Password::presented("correct horse battery!").matches(&hash));
        assert_ne!(password.hash(), hash, "a fresh salt each time");
        assert_eq!(format!("{password:?}"), "Password(***)");
    }

    #[test]
    fn hashes_of_the_argon2_crate_still_open() {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        let made = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(Password::presented("correct horse battery").matches(&PasswordHash(made.clone())));
        assert!(!Password::presented("correct horse batter").matches(&PasswordHash(made)));
        assert!(!Password::presented("").matches(&PasswordHash("not a hash".into())));
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let real = Password::new("password", "correct horse battery").unwrap().hash();
        let params = |h: &PasswordHash| h.0.rsplitn(3, '$').nth(2).unwrap().to_owned();
        assert_eq!(params(dummy_hash()), params(&real), "same algorithm, version and cost");
        assert!(!Password::presented("").matches(dummy_hash()));
    }

    #[test]
    fn many_hashes_at_once_share_one_buffer_per_core() {
        let threads: Vec<_> = (0..8)
            .map(|i| std::thread::spawn(move || Password::presented(&format!("password number {i}")).hash()))
            .collect();
        for t in threads {
            assert!(t.join().unwrap().0.starts_with("$argon2id$"));
        }
        let free = hash_memory().free.lock().unwrap();
        assert!(free.1 <= hash_slots(), "{} buffers for {} cores", free.1, hash_slots());
    }
}
