use super::validation::FieldError;

/// Characters never accepted in stored text: control characters, and the bidirectional
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069) that make a text display otherwise
/// than it reads ("Trojan source").
fn forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The same characters as a regular-expression class body, for the OpenAPI document.
pub const FORBIDDEN_CLASS: &str = "\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069";
/// `FORBIDDEN_CLASS` less tab, line feed and carriage return (free text keeps line breaks).
pub const FORBIDDEN_IN_FREE_TEXT_CLASS: &str =
    "\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069";
/// What `code` accepts.
pub const CODE_PATTERN: &str = "^[A-Za-z0-9._-]+$";

/// What `email` accepts, as the document states it.
pub fn email_pattern() -> String {
    format!("^[^\\s@{FORBIDDEN_CLASS}]+@[^\\s@{FORBIDDEN_CLASS}]+$")
}

/// An email address to show and reach someone at: one `@` with something on both sides, no
/// space and no control character.
pub fn email(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let part_ok =
        |part: &str| !part.is_empty() && part.chars().all(|c| !c.is_whitespace() && !forbidden(c) && c != '@');
    match value.split_once('@') {
        _ if value.chars().count() > max => Err(FieldError::new(field, format!("must be at most {max} characters"))),
        Some((local, domain)) if part_ok(local) && part_ok(domain) => Ok(value.to_owned()),
        _ => Err(FieldError::new(field, "is not an email address")),
    }
}

/// The kinds of text the service accepts, each checked by one function here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// `required_text`: one line, not blank.
    Required,
    /// `optional_text`: one line, may be empty.
    Optional,
    /// `free_text`: line breaks and tabs allowed.
    Free,
    /// `code`: letters, digits, `-`, `_`, `.`.
    Code,
}

impl TextKind {
    /// The JSON Schema pattern of this kind (what the function accepts, as a regex).
    pub fn pattern(self) -> String {
        let any = FORBIDDEN_CLASS;
        match self {
            TextKind::Required => format!("^[^{any}]*[^\\s{any}][^{any}]*$"),
            TextKind::Optional => format!("^[^{any}]*$"),
            TextKind::Free => format!("^[^{FORBIDDEN_IN_FREE_TEXT_CLASS}]*$"),
            TextKind::Code => CODE_PATTERN.to_owned(),
        }
    }

    pub fn min_length(self) -> usize {
        match self {
            TextKind::Required | TextKind::Code => 1,
            TextKind::Optional | TextKind::Free => 0,
        }
    }
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

/// One CSV field, quoted when it must be (RFC 4180), and never a formula: a spreadsheet runs
/// a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return, so such a text is
/// prefixed with `'` (OWASP's rule). A number, negative ones included, stays a number.
fn csv_field(value: &str) -> String {
    let is_number = value.parse::<f64>().is_ok_and(f64::is_finite);
    let value = if !is_number && value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// A CSV table: the header row, then each row's fields through `csv_field`, CRLF line ends.
pub fn csv_table(header_row: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = header_row.join(",");
    out.push_str("\r\n");
    for row in rows {
        let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The class the document states is exactly the characters `forbidden` refuses.
    #[test]
    fn the_forbidden_class_matches_the_rule() {
        let ranges = [(0x00, 0x1F), (0x7F, 0x9F), (0x202A, 0x202E), (0x2066, 0x2069)];
        let in_class = |c: u32| ranges.iter().any(|(a, b)| (*a..=*b).contains(&c));
        for c in (0..0x3000).filter_map(char::from_u32) {
            assert_eq!(forbidden(c), in_class(c as u32), "{:04X}", c as u32);
        }
        assert_eq!(FORBIDDEN_CLASS.matches("\\u").count(), 8);
    }

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

    #[test]
    fn an_email_has_one_at_and_no_space() {
        assert_eq!(
            email("email", "orders@sanofi.example", 254).unwrap(),
            "orders@sanofi.example"
        );
        for bad in ["", "orders", "@sanofi", "orders@", "a b@c", "a@b@c", " a@b", "a@b\u{7}"] {
            assert!(email("email", bad, 254).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        assert_eq!(csv_field("=cmd|'/C calc'!A0"), "'=cmd|'/C calc'!A0");
        assert_eq!(csv_field("=1+2"), "'=1+2");
        assert_eq!(csv_field("+33"), "+33");
        assert_eq!(csv_field("-3"), "-3");
        assert_eq!(csv_field("-x"), "'-x");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\tx"), "'\tx");
        assert_eq!(csv_field("=a,b"), "\"'=a,b\"");
        assert_eq!(csv_field("INS-24A"), "INS-24A");
    }
}
