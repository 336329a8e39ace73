//! The use-cases' field messages, each with a stable code: the API sends both (`errors[].code`,
//! `errors[].message` in English), and the web app says the code's words in the reader's
//! language. A template's `{}` marks what varies (a number, a lot, a serial).

/// (code, English template). A message no template matches has the code `invalid`.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("is-required", "is required"),
    ("is-required-for-x", "is required for {}"),
    ("is-not-used-by-x", "is not used by {}"),
    (
        "is-required-unless-the-line-has",
        "is required unless the line has a scan",
    ),
    (
        "is-required-the-scanned-code-has",
        "is required: the scanned code has no {}",
    ),
    ("is-listed-twice", "is listed twice"),
    ("names-no-field-to-change", "names no field to change"),
    ("no-such-item", "no such item"),
    ("no-such-lot", "no such lot"),
    ("no-such-location", "no such location"),
    ("no-such-patient", "no such patient"),
    ("no-such-supplier", "no such supplier"),
    ("no-such-order-line", "no such order line"),
    ("the-item-is-inactive", "the item is inactive"),
    ("the-location-is-inactive", "the location is inactive"),
    ("the-supplier-is-inactive", "the supplier is inactive"),
    ("the-lot-belongs-to-another-item", "the lot belongs to another item"),
    (
        "the-order-line-belongs-to-another",
        "the order line belongs to another item",
    ),
    ("must-be-a-whole-number", "must be a whole number"),
    ("must-be-a-date-yyyy-mm", "must be a date (YYYY-MM-DD)"),
    ("must-be-a-date-and-time", "must be a date and time (YYYY-MM-DDTHH:MM)"),
    ("must-be-a-number-of-c", "must be a number of °C"),
    ("must-be-between-x-and-x", "must be between {} and {}"),
    ("must-be-at-most-x-characters", "must be at most {} characters"),
    (
        "must-be-at-least-x-characters",
        "must be at least {} characters (spaces at either end do not count)",
    ),
    ("must-not-be-empty", "must not be empty"),
    ("must-not-be-in-the-future", "must not be in the future"),
    ("must-be-after-2000-01-01", "must be after 2000-01-01"),
    ("must-not-be-before-started-at", "must not be before started_at"),
    ("must-not-be-before-ordered-on", "must not be before ordered_on"),
    ("must-differ-from-location-id", "must differ from location_id"),
    ("must-hold-at-least-one-line", "must hold at least one line"),
    ("must-hold-1-to-x-lines", "must hold 1 to {} lines"),
    ("must-be-release-or-destroy", "must be release or destroy"),
    ("is-already-past", "is already past"),
    ("is-not-an-email-address", "is not an email address"),
    (
        "does-not-exist-on-this-clock",
        "does not exist on this clock (the hour skipped in spring)",
    ),
    (
        "is-not-active-only-active-patients",
        "is not active: only active patients receive",
    ),
    (
        "no-such-lot-lot-x-of",
        "no such lot: lot {} of this item was never received",
    ),
    (
        "no-such-item-gtin-x-is",
        "no such item: GTIN {} is in no item of the catalog",
    ),
    (
        "must-be-1-the-scanned-code",
        "must be 1: the scanned code names one pack (serial {})",
    ),
    ("says-x-but-the-scanned-code", "says {}, but the scanned code says {}"),
    (
        "lists-more-serials-than-units-received",
        "lists more serials than units received",
    ),
    ("cannot-read-the-code-x", "cannot read the code: {}"),
    (
        "the-movement-is-dated-before-the",
        "the movement is dated before the lot's first receipt ({})",
    ),
    (
        "lot-x-is-already-counted-by",
        "lot {} is already counted by {}: count each lot once",
    ),
];

/// The code of a message: the first template it is, or `invalid`.
pub fn code_of(message: &str) -> &'static str {
    TEMPLATES
        .iter()
        .find(|(_, template)| values(template, message).is_some())
        .map_or("invalid", |(code, _)| code)
}

/// The English template of a code.
pub fn template(code: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|(c, _)| *c == code).map(|(_, t)| *t)
}

/// The values a message fills into `template`'s `{}`s, if it is that template.
pub fn values<'a>(template: &str, message: &'a str) -> Option<Vec<&'a str>> {
    let parts: Vec<&str> = template.split("{}").collect();
    let mut rest = message.strip_prefix(parts[0])?;
    let mut found = Vec::new();
    for (i, part) in parts.iter().enumerate().skip(1) {
        let at = if i == parts.len() - 1 {
            if part.is_empty() {
                rest.len()
            } else if rest.ends_with(part) {
                rest.len() - part.len()
            } else {
                return None;
            }
        } else {
            rest.find(part)?
        };
        found.push(&rest[..at]);
        rest = &rest[at + part.len()..];
    }
    (rest.is_empty() && !found.iter().any(|v| v.is_empty())).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_one_code() {
        let mut seen = std::collections::HashSet::new();
        for (code, _) in TEMPLATES {
            assert!(seen.insert(code), "{code} twice");
        }
        assert_eq!(
            values("must be between {} and {}", "must be between 1 and 45"),
            Some(vec!["1", "45"])
        );
        assert_eq!(values("is required", "is required for dispense"), None);
        assert_eq!(code_of("is required for dispense"), "is-required-for-x");
        assert_eq!(code_of("must be between 1 and 45"), "must-be-between-x-and-x");
        assert_eq!(code_of("something unforeseen"), "invalid");
    }
}
