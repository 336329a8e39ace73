use super::validation::FieldError;

/// Characters never accepted in stored text: control characters, and the bidirectional
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make a text display otherwise
/// than it reads ("Trojan source").
fn forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A trimmed, non-empty text of at most `max` characters, free of control characters.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    optional_text(field, value, max)
}

/// Like `required_text` but may be empty.
pub fn optional_text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(FieldError::new(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(forbidden) {
        return Err(FieldError::new(
            field,
            "must not contain control or bidirectional-override characters",
        ));
    }
    Ok(value.to_owned())
}

/// Free text such as notes: like `optional_text`, but line breaks and tabs are allowed.
pub fn free_text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(FieldError::new(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(|c| forbidden(c) && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(FieldError::new(
            field,
            "must not contain control or bidirectional-override characters other than line breaks and tabs",
        ));
    }
    Ok(value.to_owned())
}

/// A code a person types and scans: letters, digits, `-`, `_`, `.`; stored in upper case so
/// `ins-400` and `INS-400` are the same code.
pub fn code(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = required_text(field, value, max)?;
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(FieldError::new(
            field,
            "may contain only letters, digits, '-', '_' and '.'",
        ));
    }
    Ok(value.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required_text("name", "  Kit  ", 10).unwrap(), "Kit");
        assert!(required_text("name", "   ", 10).is_err());
        assert!(required_text("name", "abcdefghijk", 10).is_err());
        assert!(required_text("name", "a\u{0}b", 10).is_err());
        assert_eq!(optional_text("note", "", 10).unwrap(), "");
        // Limits count characters, not bytes.
        assert!(required_text("name", "ééééé", 5).is_ok());
    }

    #[test]
    fn codes_are_upper_cased_and_restricted() {
        assert_eq!(code("code", "ins-400", 64).unwrap(), "INS-400");
        assert!(code("code", "INS 400", 64).is_err());
        assert!(code("code", "'; DROP TABLE items;--", 64).is_err());
    }
}
