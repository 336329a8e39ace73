//! An email address as configured (`Name <a@b>` or `a@b`): parsed once by the parser the
//! mailer sends with, so that an address it would refuse fails at start, not at the first alert.

pub use lettre::message::Mailbox;

/// Parses an `email.from` / `email.recipients` entry.
pub fn mailbox(text: &str) -> Result<Mailbox, String> {
    text.parse::<Mailbox>().map_err(|e| format!("{text:?}: {e}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_name_and_an_address_or_an_address_alone() {
        assert!(super::mailbox("mipstock <mipstock@hospital.example>").is_ok());
        assert!(super::mailbox("pharmacie@hospital.example").is_ok());
        assert!(super::mailbox("pharmacie at hospital").is_err());
    }
}
