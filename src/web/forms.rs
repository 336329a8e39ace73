//! What the pages' forms share: the posted fields, read once, and the API's own messages shown
//! next to the field they are about.

use actix_web::http::StatusCode;

use super::said::{refused, said, said_text};
use crate::service::refusal::Refusal;
use chrono::NaiveDate;

use crate::domain::gs1::GS;
use crate::domain::time::parse_date;
use crate::domain::validation::{FieldError, FieldErrors};

/// A posted form as its name/value pairs (repeated names kept, in order).
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The field's value, trimmed ("" when absent).
    pub fn text(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
    }

    /// The field's value as typed, untrimmed (a password's spaces are part of it).
    pub fn raw(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// The field's value when filled in.
    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    /// A whole number, when filled in; the API's name for the field in the error.
    pub fn number(&self, name: &str, errors: &mut FieldErrors) -> Option<i64> {
        number(name, self.text(name), errors)
    }

    /// A whole number that must be filled in.
    pub fn required_number(&self, name: &str, errors: &mut FieldErrors) -> Option<i64> {
        if self.text(name).is_empty() {
            errors.push(FieldError::new(name, "is required"));
        }
        self.number(name, errors)
    }

    /// A date (`YYYY-MM-DD`, as a date input sends it), when filled in.
    pub fn date(&self, name: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
        date(name, self.text(name), errors)
    }
}

/// `text` as a whole number, when filled in; an error on `name` otherwise.
pub fn number(name: &str, text: &str, errors: &mut FieldErrors) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    let parsed = text.parse::<i64>().ok();
    if parsed.is_none() {
        errors.push(FieldError::new(name, "must be a whole number"));
    }
    parsed
}

/// `text` as a date, when filled in: the API's own reading (`domain::time::parse_date`).
pub fn date(name: &str, text: &str, errors: &mut FieldErrors) -> Option<NaiveDate> {
    if text.is_empty() {
        return None;
    }
    let parsed = parse_date(text);
    if parsed.is_none() {
        errors.push(FieldError::new(name, "must be a date (YYYY-MM-DD)"));
    }
    parsed
}

/// What a keyboard-wedge scanner typed, one code per line: the GS separator arrives as the control
/// character itself, or as the visible ␝ some scanners and the page's own script put in its place.
pub fn scanned_codes(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.trim_matches(|c: char| c == ' ' || c == '\r' || c == '\t'))
        .filter(|line| !line.is_empty())
        .map(|line| line.replace('\u{241d}', &GS.to_string()))
        .collect()
}

/// A scanned code as the page shows it back: the invisible GS as ␝.
pub fn visible_code(code: &str) -> String {
    code.replace(GS, "\u{241d}")
}

/// Why a form was not accepted: the problem's own words, and each field's message.
#[derive(Default)]
pub struct Issues {
    pub status: Option<StatusCode>,
    pub summary: Option<String>,
    pub fields: Vec<FieldError>,
}

impl Issues {
    /// A refusal as the page shows it: what it is and each field's message, in the page's
    /// language (by the refusal's code and the messages' templates).
    pub fn from_refusal(refusal: Refusal) -> Issues {
        let fields: Vec<FieldError> = refusal
            .errors
            .into_iter()
            .map(|e| FieldError { message: said(&e), ..e })
            .collect();
        // What the refusal is; a refusal without field messages also says its own detail.
        let kind = refused(refusal.kind);
        let summary = if fields.is_empty() {
            let detail = said_text(&refusal.detail);
            if detail == refusal.detail && !super::i18n::is_english() {
                kind.to_owned()
            } else {
                format!("{kind} {detail}")
            }
        } else {
            kind.to_owned()
        };
        Issues {
            status: StatusCode::from_u16(refusal.kind.status()).ok(),
            summary: Some(summary),
            fields,
        }
    }

    /// The message about this field, if any.
    pub fn at(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// The messages about the request's lines (`lines[2].scan` is line 3), in order; a message
    /// about the lines as a whole is line 0.
    pub fn per_line(&self) -> Vec<(usize, &str)> {
        self.fields
            .iter()
            .filter_map(|e| {
                let rest = e.field.strip_prefix("lines")?;
                let number = rest
                    .strip_prefix('[')
                    .and_then(|r| r.split(']').next())
                    .and_then(|i| i.parse::<usize>().ok())
                    .map_or(0, |i| i + 1);
                Some((number, e.message.as_str()))
            })
            .collect()
    }

    pub fn status(&self) -> StatusCode {
        self.status.unwrap_or(StatusCode::OK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wedge_scanners_lines_become_codes_with_their_separators() {
        let typed = "]d2010340095857484917270531104F123A\u{1d}218HK2\r\n\n  0103400958574849172705311004F\u{241d}21X\n";
        let codes = scanned_codes(typed);
        assert_eq!(codes.len(), 2);
        assert_eq!(codes[0], "]d2010340095857484917270531104F123A\u{1d}218HK2");
        assert_eq!(codes[1], "0103400958574849172705311004F\u{1d}21X");
        assert_eq!(visible_code(&codes[1]), "0103400958574849172705311004F\u{241d}21X");
    }

    #[test]
    fn line_messages_are_numbered_from_one() {
        let issues = Issues {
            fields: vec![
                FieldError::new("lines[2].scan", "no such lot"),
                FieldError::new("lines", "must hold 1 to 50 lines"),
                FieldError::new("location_id", "is required"),
            ],
            ..Issues::default()
        };
        assert_eq!(
            issues.per_line(),
            vec![(3, "no such lot"), (0, "must hold 1 to 50 lines")]
        );
        assert_eq!(issues.at("location_id"), Some("is required"));
    }

    #[test]
    fn fields_are_read_once_with_the_apis_message() {
        let fields = Fields(vec![
            ("location_id".into(), " 3 ".into()),
            ("quantity".into(), "deux".into()),
        ]);
        let mut errors = FieldErrors::default();
        assert_eq!(fields.number("location_id", &mut errors), Some(3));
        assert_eq!(fields.number("quantity", &mut errors), None);
        assert_eq!(fields.number("absent", &mut errors), None);
        assert_eq!(errors.0.len(), 1);
        assert_eq!(errors.0[0].field, "quantity");
        assert_eq!(fields.required_number("absent", &mut errors), None);
        assert_eq!(errors.0[1].message, "is required");
        assert_eq!(date("on", "2027-02-29", &mut errors), None, "not a day");
        assert_eq!(
            date("on", "2028-02-29", &mut errors),
            NaiveDate::from_ymd_opt(2028, 2, 29)
        );
        assert_eq!(errors.0.len(), 3);
    }
}
