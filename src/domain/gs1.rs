//! GS1 element strings as a handheld scanner types them (`../shared/GS1.md`): a GS1 DataMatrix,
//! GS1-128 or GS1 QR code with or without its symbology identifier, FNC1 arriving as GS (0x1D),
//! or the bracket form printed under the code. Pure: the century rule takes `today`.
//!
//! No crate on crates.io does this whole (century rule, DD = 00, check digits, character set 82,
//! conflicting repeats, a missing GS): written once, here.

use chrono::{Datelike, NaiveDate};

use super::gtin::{Gtin, GtinError};
use super::ids::{ItemId, LotId};
use super::validation::FieldError;

/// FNC1 as a scanner transmits it.
pub const GS: char = '\u{1d}';
/// The longest string taken as a scan (a DataMatrix of a medicine holds about 60 characters).
pub const SCAN_MAX: usize = 200;

/// One application identifier and its value, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub ai: String,
    pub value: String,
}

/// What a code says about the box it is printed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gs1Code {
    pub gtin: Gtin,
    pub lot_number: Option<String>,
    pub expires_on: Option<NaiveDate>,
    pub serial: Option<String>,
    pub production_date: Option<NaiveDate>,
    pub elements: Vec<Element>,
    /// Read, but worth a look (a GS that may be missing).
    pub warnings: Vec<String>,
}

impl Gs1Code {
    /// The French CIP13 a GTIN-14 `03400…` holds (`../shared/GS1.md`, France).
    pub fn cip13(&self) -> Option<&str> {
        self.gtin.as_str().strip_prefix('0').filter(|c| c.starts_with("3400"))
    }
}

/// A scanned code matched against the catalog and the ledger: what a movement line takes from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedPack {
    pub code: Gs1Code,
    /// The catalog item with the code's GTIN.
    pub item: Option<ItemId>,
    /// That item's lot with the code's lot number, when it was received before.
    pub lot: Option<LotId>,
}

/// Why a code cannot be read, in words for the technician holding the box.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    #[error("the code is empty")]
    Empty,
    #[error("the code has {0} characters, at most {SCAN_MAX} are read")]
    TooLongCode(usize),
    #[error("{0} is a plain data matrix, not a GS1 code")]
    NotGs1(String),
    #[error("unknown symbology identifier {0}")]
    Symbology(String),
    #[error("unknown application identifier at \u{ab}{0}\u{bb}")]
    UnknownAi(String),
    #[error("{what} ({ai}) needs {expected} characters, the code has {found}")]
    TooShort {
        what: &'static str,
        ai: String,
        expected: usize,
        found: usize,
    },
    #[error("{what} ({ai}) is empty")]
    EmptyValue { what: &'static str, ai: String },
    #[error("{what} ({ai}) has {found} characters, at most {max} are allowed")]
    TooLong {
        what: &'static str,
        ai: String,
        max: usize,
        found: usize,
    },
    #[error("{what} ({ai}) must be digits, not \u{ab}{value}\u{bb}")]
    NotDigits {
        what: &'static str,
        ai: String,
        value: String,
    },
    #[error("character {character:?} is not allowed in a {what} ({ai})")]
    Character {
        what: &'static str,
        ai: String,
        character: char,
    },
    #[error("GTIN {gtin}: check digit should be {expected}")]
    CheckDigit { gtin: String, expected: u32 },
    #[error("{what} {shown} is not a date ({reason})")]
    Date {
        what: &'static str,
        shown: String,
        reason: String,
    },
    #[error("{what} ({ai}) is given twice, as \u{ab}{first}\u{bb} and \u{ab}{second}\u{bb}")]
    Conflict {
        what: &'static str,
        ai: String,
        first: String,
        second: String,
    },
    #[error("the bracket form is broken at \u{ab}{0}\u{bb}")]
    Bracket(String),
    #[error("the code has no GTIN (01): it does not name a product")]
    NoGtin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// Exactly this many digits.
    Digits(usize),
    /// One to this many digits.
    DigitsUpTo(usize),
    /// One to this many characters of GS1 character set 82.
    Text(usize),
    /// YYMMDD, DD = 00 the last day of the month.
    Date,
    /// 14 digits with the GS1 check digit.
    Gtin,
}

#[derive(Debug, Clone, Copy)]
struct Spec {
    /// The AI's digits (2–4).
    len: usize,
    what: &'static str,
    format: Format,
}

const fn spec(len: usize, what: &'static str, format: Format) -> Spec {
    Spec { len, what, format }
}

/// The AI that starts `s`, from GS1's table (the ones a pharmacy meets, and their families).
fn identify(s: &str) -> Option<Spec> {
    let d = |i: usize| s.as_bytes().get(i).filter(|b| b.is_ascii_digit()).map(|b| b - b'0');
    let (a, b) = (d(0)?, d(1)?);
    let two = |what, format| Some(spec(2, what, format));
    let three = |what, format| d(2).map(|_| spec(3, what, format));
    let four = |what, format| d(2).and(d(3)).map(|_| spec(4, what, format));
    match (a, b) {
        (0, 0) => two("SSCC", Format::Digits(18)),
        (0, 1) => two("GTIN", Format::Gtin),
        (0, 2) => two("GTIN of contained items", Format::Gtin),
        (1, 0) => two("lot", Format::Text(20)),
        (1, 1) => two("production date", Format::Date),
        (1, 2) => two("due date", Format::Date),
        (1, 3) => two("packaging date", Format::Date),
        (1, 5) => two("best before date", Format::Date),
        (1, 6) => two("sell by date", Format::Date),
        (1, 7) => two("expiry", Format::Date),
        (2, 0) => two("variant", Format::Digits(2)),
        (2, 1) => two("serial", Format::Text(20)),
        (2, 2) => two("consumer product variant", Format::Text(20)),
        (2, 4) => match d(2)? {
            0 => three("additional product id", Format::Text(30)),
            1 => three("customer part number", Format::Text(30)),
            _ => None,
        },
        (2, 5) => match d(2)? {
            0 => three("secondary serial", Format::Text(30)),
            1 => three("reference to source entity", Format::Text(30)),
            _ => None,
        },
        (3, 0) => two("variable count", Format::DigitsUpTo(8)),
        (3, 1..=6) => four("measure", Format::Digits(6)),
        (3, 7) => two("count of trade items", Format::DigitsUpTo(8)),
        (4, 0) if d(2)? == 0 => three("order number", Format::Text(30)),
        (4, 1) if d(2)? <= 7 => three("GLN", Format::Digits(13)),
        (4, 2) if d(2)? == 2 => three("country of origin", Format::Digits(3)),
        (7, 0) if (d(2)?, d(3)?) == (0, 3) => four("expiry date and time", Format::Digits(10)),
        (7, 1) if d(2)? <= 5 => three("national healthcare reimbursement number", Format::Text(20)),
        (9, 0) => two("internal information", Format::Text(30)),
        (9, 1..=9) => two("company internal information", Format::Text(90)),
        _ => None,
    }
}

/// The value length of the AIs that need no GS after them, by their first two digits.
fn predefined_length(ai: &str) -> Option<usize> {
    match ai.get(..2)? {
        "00" => Some(18),
        "01" | "02" => Some(14),
        "11" | "12" | "13" | "14" | "15" | "16" | "17" => Some(6),
        "20" => Some(2),
        "31" | "32" | "33" | "34" | "35" | "36" => Some(6),
        "41" => Some(13),
        _ => None,
    }
}

/// GS1 character set 82 (the characters a lot or serial may hold).
pub fn is_character_set_82(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

/// What a field error says before why a code cannot be read.
pub const UNREADABLE: &str = "cannot read the code";

/// Reads the scan in `field`, or says in words what is wrong with it.
pub fn read(field: &str, data: &str, today: NaiveDate) -> Result<Gs1Code, FieldError> {
    parse(data, today).map_err(|e| FieldError::new(field, format!("{UNREADABLE}: {e}")))
}

/// Reads a scanner's string. `today` places two-digit years (the GS1 century rule).
pub fn parse(data: &str, today: NaiveDate) -> Result<Gs1Code, Gs1Error> {
    let length = data.chars().count();
    if length > SCAN_MAX {
        return Err(Gs1Error::TooLongCode(length));
    }
    // A keyboard-wedge scanner ends with Enter.
    let data = data.trim_end_matches(['\r', '\n']);
    let (body, bracketed, prefixed) = match data.strip_prefix(']') {
        Some(rest) => {
            let id = rest.get(..2).unwrap_or(rest);
            match id {
                "d2" | "C1" | "Q3" | "e0" => (&rest[2..], false, true),
                "d1" | "Q1" => return Err(Gs1Error::NotGs1(format!("]{id}"))),
                _ => return Err(Gs1Error::Symbology(format!("]{id}"))),
            }
        }
        None => (data, data.starts_with('('), false),
    };
    // One stray GS at either end is the scanner's, not the code's.
    let body = body.strip_prefix(GS).unwrap_or(body);
    let body = body.strip_suffix(GS).unwrap_or(body);
    if body.is_empty() {
        return Err(Gs1Error::Empty);
    }
    // A bare EAN-13 / CIP13 (a linear barcode) is a GTIN, not a GS1 message.
    if !bracketed && !prefixed && matches!(body.len(), 8 | 12 | 13) && body.bytes().all(|b| b.is_ascii_digit()) {
        let gtin = gtin(body, "GTIN", "01")?;
        return Ok(Gs1Code {
            elements: vec![Element {
                ai: "01".into(),
                value: gtin.as_str().to_owned(),
            }],
            warnings: vec!["a GTIN alone: no lot, expiry or serial in this code".into()],
            ..code(gtin)
        });
    }
    let raw = if bracketed {
        split_brackets(body)?
    } else {
        split_raw(body)?
    };
    let mut read = Reading::default();
    for (spec, ai, value, last) in raw {
        read.element(spec, ai, value, today, last && !bracketed)?;
    }
    read.finish()
}

fn code(gtin: Gtin) -> Gs1Code {
    Gs1Code {
        gtin,
        lot_number: None,
        expires_on: None,
        serial: None,
        production_date: None,
        elements: Vec::new(),
        warnings: Vec::new(),
    }
}

/// (spec, AI, value, whether it ended the string)
type Raw<'a> = Vec<(Spec, &'a str, &'a str, bool)>;

/// The raw form: predefined-length AIs by length, every other up to the next GS.
fn split_raw(body: &str) -> Result<Raw<'_>, Gs1Error> {
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let spec = identify(rest).ok_or_else(|| Gs1Error::UnknownAi(excerpt(rest)))?;
        let (ai, after) = rest.split_at(spec.len);
        let (value, next) = match predefined_length(ai) {
            Some(n) => {
                let found = after.chars().take_while(|c| *c != GS).count();
                if found < n {
                    return Err(Gs1Error::TooShort {
                        what: spec.what,
                        ai: ai.into(),
                        expected: n,
                        found,
                    });
                }
                // n characters, which need not be n bytes: the value may hold any character
                // until it is checked.
                let cut = after.char_indices().nth(n).map_or(after.len(), |(i, _)| i);
                let (value, next) = after.split_at(cut);
                // A GS after a fixed-length field is superfluous, and harmless.
                (value, next.strip_prefix(GS).unwrap_or(next))
            }
            None => match after.find(GS) {
                Some(i) => (&after[..i], &after[i + GS.len_utf8()..]),
                None => (after, ""),
            },
        };
        out.push((spec, ai, value, next.is_empty()));
        rest = next;
    }
    Ok(out)
}

/// The bracket form: `(AI)value…`; a value runs to the next `(` that opens a known AI.
fn split_brackets(body: &str) -> Result<Raw<'_>, Gs1Error> {
    let opens_ai = |s: &str| {
        s.strip_prefix('(')
            .and_then(|r| identify(r).filter(|spec| r.as_bytes().get(spec.len) == Some(&b')')))
    };
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let spec = opens_ai(rest).ok_or_else(|| Gs1Error::Bracket(excerpt(rest)))?;
        let ai = &rest[1..=spec.len];
        let after = &rest[spec.len + 2..];
        let end = after
            .char_indices()
            .find(|(i, c)| *c == '(' && opens_ai(&after[*i..]).is_some())
            .map_or(after.len(), |(i, _)| i);
        out.push((spec, ai, &after[..end], end == after.len()));
        rest = &after[end..];
    }
    Ok(out)
}

fn excerpt(s: &str) -> String {
    s.chars()
        .take(8)
        .map(|c| if c == GS { '\u{2423}' } else { c })
        .collect()
}

#[derive(Default)]
struct Reading {
    gtin: Option<Gtin>,
    lot_number: Option<String>,
    expires_on: Option<NaiveDate>,
    serial: Option<String>,
    production_date: Option<NaiveDate>,
    elements: Vec<Element>,
    warnings: Vec<String>,
}

impl Reading {
    fn element(&mut self, spec: Spec, ai: &str, value: &str, today: NaiveDate, last: bool) -> Result<(), Gs1Error> {
        if let Some(first) = self.elements.iter().find(|e| e.ai == ai) {
            if first.value == value {
                return Ok(());
            }
            return Err(Gs1Error::Conflict {
                what: spec.what,
                ai: ai.into(),
                first: first.value.clone(),
                second: value.into(),
            });
        }
        let found = value.chars().count();
        let digits = |max: usize, exact: bool| {
            if found == 0 {
                Err(Gs1Error::EmptyValue {
                    what: spec.what,
                    ai: ai.into(),
                })
            } else if found > max {
                Err(Gs1Error::TooLong {
                    what: spec.what,
                    ai: ai.into(),
                    max,
                    found,
                })
            } else if exact && found < max {
                Err(Gs1Error::TooShort {
                    what: spec.what,
                    ai: ai.into(),
                    expected: max,
                    found,
                })
            } else if !value.bytes().all(|b| b.is_ascii_digit()) {
                Err(Gs1Error::NotDigits {
                    what: spec.what,
                    ai: ai.into(),
                    value: value.into(),
                })
            } else {
                Ok(())
            }
        };
        match spec.format {
            Format::Digits(n) => digits(n, true)?,
            Format::DigitsUpTo(n) => digits(n, false)?,
            Format::Gtin => {
                digits(14, true)?;
                let parsed = gtin(value, spec.what, ai)?;
                if ai == "01" {
                    self.gtin = Some(parsed);
                }
            }
            Format::Date => {
                digits(6, true)?;
                let on = date(spec.what, value, today)?;
                match ai {
                    "17" => self.expires_on = Some(on),
                    "11" => self.production_date = Some(on),
                    _ => {}
                }
            }
            Format::Text(max) => {
                if found == 0 {
                    return Err(Gs1Error::EmptyValue {
                        what: spec.what,
                        ai: ai.into(),
                    });
                }
                if let Some(character) = value.chars().find(|c| !is_character_set_82(*c)) {
                    return Err(Gs1Error::Character {
                        what: spec.what,
                        ai: ai.into(),
                        character,
                    });
                }
                if found > max {
                    return Err(Gs1Error::TooLong {
                        what: spec.what,
                        ai: ai.into(),
                        max,
                        found,
                    });
                }
                if last {
                    if let Some(warning) = swallowed(spec.what, value, today) {
                        self.warnings.push(warning);
                    }
                }
                match ai {
                    "10" => self.lot_number = Some(value.into()),
                    "21" => self.serial = Some(value.into()),
                    _ => {}
                }
            }
        }
        self.elements.push(Element {
            ai: ai.into(),
            value: value.into(),
        });
        Ok(())
    }

    fn finish(self) -> Result<Gs1Code, Gs1Error> {
        let gtin = self.gtin.ok_or(Gs1Error::NoGtin)?;
        Ok(Gs1Code {
            lot_number: self.lot_number,
            expires_on: self.expires_on,
            serial: self.serial,
            production_date: self.production_date,
            elements: self.elements,
            warnings: self.warnings,
            ..code(gtin)
        })
    }
}

/// A variable-length value that ends the string but holds, from some character on, a whole
/// fixed-length element that reads as valid (`ABC17270531`: lot ABC then expiry 2027-05-31?) —
/// a GS the scanner or the printer left out. Read strictly, with a warning.
fn swallowed(what: &str, value: &str, today: NaiveDate) -> Option<String> {
    value.char_indices().skip(1).find_map(|(i, _)| {
        let tail = &value[i..];
        let spec = identify(tail)?;
        let ai = &tail[..spec.len];
        let rest = &tail[spec.len..];
        let fits = predefined_length(ai) == Some(rest.len())
            && match spec.format {
                Format::Date => rest.bytes().all(|b| b.is_ascii_digit()) && date(spec.what, rest, today).is_ok(),
                Format::Gtin => Gtin::parse(rest).is_ok(),
                _ => false,
            };
        fits.then(|| {
            format!(
                "the {what} \u{ab}{value}\u{bb} ends with what reads as {} ({ai}) {rest}: a GS may be missing after \u{ab}{}\u{bb}",
                spec.what,
                &value[..i]
            )
        })
    })
}

fn gtin(value: &str, what: &'static str, ai: &str) -> Result<Gtin, Gs1Error> {
    Gtin::parse(value).map_err(|e| match e {
        GtinError::CheckDigit { expected } => Gs1Error::CheckDigit {
            gtin: value.into(),
            expected,
        },
        GtinError::Length | GtinError::NotDigits => Gs1Error::NotDigits {
            what,
            ai: ai.into(),
            value: value.into(),
        },
    })
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// YYMMDD (six digits, checked by the caller); DD `00` is the month's last day.
fn date(what: &'static str, value: &str, today: NaiveDate) -> Result<NaiveDate, Gs1Error> {
    let n = |i: usize| value[i..i + 2].parse::<u32>().unwrap_or(99);
    let (yy, mm, dd) = (n(0), n(2), n(4));
    let (y, m, d) = (&value[0..2], &value[2..4], &value[4..6]);
    if !(1..=12).contains(&mm) {
        return Err(Gs1Error::Date {
            what,
            shown: format!("{m}/{y}"),
            reason: format!("there is no month {m}"),
        });
    }
    let year = century(yy, today.year());
    let last = last_day(year, mm);
    if dd > last {
        return Err(Gs1Error::Date {
            what,
            shown: format!("{d}/{m}/{y}"),
            reason: format!("{} {year} has {last} days", MONTHS[mm as usize - 1]),
        });
    }
    let day = if dd == 0 { last } else { dd };
    NaiveDate::from_ymd_opt(year, mm, day).ok_or_else(|| Gs1Error::Date {
        what,
        shown: format!("{d}/{m}/{y}"),
        reason: "out of range".into(),
    })
}

/// GS1 General Specifications §7.12: the year within 49 years back and 50 ahead of this one.
fn century(yy: u32, this_year: i32) -> i32 {
    let cc = this_year.rem_euclid(100);
    let base = this_year - cc;
    let yy = yy as i32;
    match yy - cc {
        51..=99 => base - 100 + yy,
        -99..=-50 => base + 100 + yy,
        _ => base + yy,
    }
}

fn last_day(year: i32, month: u32) -> u32 {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|first| first.pred_opt())
        .map_or(28, |d| d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn on(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn read(data: &str) -> Gs1Code {
        parse(data, today()).unwrap_or_else(|e| panic!("{data:?}: {e}"))
    }

    fn refused(data: &str) -> String {
        parse(data, today()).expect_err(data).to_string()
    }

    #[test]
    fn a_fixed_length_field_cut_inside_a_character_is_an_error_not_a_panic() {
        for data in [
            "01aaaaaaaaaaaaaé",
            "]d201aaaaaaaaaaaaa€",
            "0103400958574849172705é1",
            "01😀😀😀😀😀😀😀😀😀😀😀😀😀😀",
        ] {
            assert!(parse(data, today()).is_err(), "{data}");
        }
    }

    #[test]
    fn e1_insuman_with_prefix_and_gs() {
        let c = read("]d2010340095857484917270531104F123A\u{1d}218HK2Q9ZX7MR4");
        assert_eq!(c.gtin.as_str(), "03400958574849");
        assert_eq!(c.cip13(), Some("3400958574849"));
        assert_eq!(c.expires_on, Some(on(2027, 5, 31)));
        assert_eq!(c.lot_number.as_deref(), Some("4F123A"));
        assert_eq!(c.serial.as_deref(), Some("8HK2Q9ZX7MR4"));
        assert!(c.warnings.is_empty());
        let ais: Vec<&str> = c.elements.iter().map(|e| e.ai.as_str()).collect();
        assert_eq!(ais, ["01", "17", "10", "21"]);
    }

    #[test]
    fn e2_day_00_is_the_last_day_of_a_leap_february() {
        let c = read("]d201034009585749001728020010G2405\u{1d}21100000000000000001");
        assert_eq!(c.cip13(), Some("3400958574900"));
        assert_eq!(c.expires_on, Some(on(2028, 2, 29)));
        assert_eq!(c.lot_number.as_deref(), Some("G2405"));
        assert_eq!(c.serial.as_deref(), Some("100000000000000001"));
        assert_eq!(
            read("]d20103400958574900172502001012").expires_on,
            Some(on(2025, 2, 28))
        );
    }

    #[test]
    fn e3_serial_first_lot_last_without_gs() {
        let c = read("]d2010340095857484921PX7K3M9Q2WTR\u{1d}1726110010AB12");
        assert_eq!(c.serial.as_deref(), Some("PX7K3M9Q2WTR"));
        assert_eq!(c.expires_on, Some(on(2026, 11, 30)));
        assert_eq!(c.lot_number.as_deref(), Some("AB12"));
    }

    #[test]
    fn e4_fixed_length_fields_need_no_separator() {
        let c = read("]d20109506000134352112403151729031410H24C0117");
        assert_eq!(c.gtin.as_str(), "09506000134352");
        assert_eq!(c.cip13(), None);
        assert_eq!(c.production_date, Some(on(2024, 3, 15)));
        assert_eq!(c.expires_on, Some(on(2029, 3, 14)));
        assert_eq!(c.lot_number.as_deref(), Some("H24C0117"));
    }

    #[test]
    fn e5_a_device_with_ai_240() {
        let c = read("]d2010950110153000321SN0042117\u{1d}17300930240CATH-IP-DEMO");
        assert_eq!(c.serial.as_deref(), Some("SN0042117"));
        assert_eq!(c.expires_on, Some(on(2030, 9, 30)));
        assert!(c.elements.contains(&Element {
            ai: "240".into(),
            value: "CATH-IP-DEMO".into()
        }));
        assert_eq!(c.lot_number, None);
    }

    #[test]
    fn e6_a_lot_with_punctuation() {
        let c = read("]d201034009585748491024-117/B\u{1d}17270430");
        assert_eq!(c.lot_number.as_deref(), Some("24-117/B"));
        assert_eq!(c.expires_on, Some(on(2027, 4, 30)));
    }

    #[test]
    fn e7_without_the_symbology_prefix() {
        let c = read("01034009585748491726123110X9Y8Z7");
        assert_eq!(c.expires_on, Some(on(2026, 12, 31)));
        assert_eq!(c.lot_number.as_deref(), Some("X9Y8Z7"));
    }

    #[test]
    fn e8_a_missing_gs_reads_strictly_and_warns() {
        let c = read("]d2010340095857484910ABC17270531");
        assert_eq!(c.lot_number.as_deref(), Some("ABC17270531"));
        assert_eq!(c.expires_on, None);
        assert_eq!(c.warnings.len(), 1);
        assert!(
            c.warnings[0].contains("a GS may be missing after \u{ab}ABC\u{bb}"),
            "{}",
            c.warnings[0]
        );
        // The bracket form cannot be ambiguous.
        let c = read("(01)03400958574849(10)ABC(17)270531");
        assert_eq!(
            (c.lot_number.as_deref(), c.expires_on),
            (Some("ABC"), Some(on(2027, 5, 31)))
        );
        assert!(c.warnings.is_empty());
    }

    #[test]
    fn e9_a_wrong_check_digit_is_refused_with_the_right_one() {
        assert_eq!(
            refused("]d2010340095857484817270531104F123A"),
            "GTIN 03400958574848: check digit should be 9"
        );
    }

    #[test]
    fn e10_month_13_is_refused_in_words() {
        assert_eq!(
            refused("]d2010340095857484917271331104F123A"),
            "expiry 13/27 is not a date (there is no month 13)"
        );
        assert_eq!(
            refused("]d2010340095857484917270431104F123A"),
            "expiry 31/04/27 is not a date (April 2027 has 30 days)"
        );
        assert_eq!(
            refused("]d2010340095857484917270229104F123A"),
            "expiry 29/02/27 is not a date (February 2027 has 28 days)"
        );
    }

    #[test]
    fn every_example_reads_the_same_in_bracket_form() {
        let pairs = [
            (
                "]d2010340095857484917270531104F123A\u{1d}218HK2Q9ZX7MR4",
                "(01)03400958574849(17)270531(10)4F123A(21)8HK2Q9ZX7MR4",
            ),
            (
                "]d201034009585749001728020010G2405\u{1d}21100000000000000001",
                "(01)03400958574900(17)280200(10)G2405(21)100000000000000001",
            ),
            (
                "]d2010340095857484921PX7K3M9Q2WTR\u{1d}1726110010AB12",
                "(01)03400958574849(21)PX7K3M9Q2WTR(17)261100(10)AB12",
            ),
            (
                "]d20109506000134352112403151729031410H24C0117",
                "(01)09506000134352(11)240315(17)290314(10)H24C0117",
            ),
            (
                "]d2010950110153000321SN0042117\u{1d}17300930240CATH-IP-DEMO",
                "(01)09501101530003(21)SN0042117(17)300930(240)CATH-IP-DEMO",
            ),
            (
                "]d201034009585748491024-117/B\u{1d}17270430",
                "(01)03400958574849(10)24-117/B(17)270430",
            ),
            (
                "01034009585748491726123110X9Y8Z7",
                "(01)03400958574849(17)261231(10)X9Y8Z7",
            ),
        ];
        for (raw, bracket) in pairs {
            assert_eq!(read(raw), read(bracket), "{bracket}");
        }
    }

    #[test]
    fn the_century_rule_places_two_digit_years() {
        // In 2026: 76 is 2076 (50 ahead), 77 is 1977 (51 ahead → last century).
        assert_eq!(century(76, 2026), 2076);
        assert_eq!(century(77, 2026), 1977);
        assert_eq!(century(26, 2026), 2026);
        // In 2075: 25 is 2125? No: 25 − 75 = −50 → next century.
        assert_eq!(century(25, 2075), 2125);
        assert_eq!(century(26, 2075), 2026);
        assert_eq!(century(0, 1999), 2000);
    }

    #[test]
    fn stray_separators_and_enter_are_the_scanners() {
        let clean = read("]d2010340095857484917270531104F123A\u{1d}218HK2Q9ZX7MR4");
        assert_eq!(
            read("]d2\u{1d}010340095857484917270531104F123A\u{1d}218HK2Q9ZX7MR4\u{1d}\r\n"),
            clean
        );
        // A GS after a fixed-length field is superfluous.
        assert_eq!(
            read("]d20103400958574849\u{1d}17270531\u{1d}104F123A\u{1d}218HK2Q9ZX7MR4"),
            clean
        );
    }

    #[test]
    fn a_repeated_ai_is_fine_with_the_same_value_refused_with_another() {
        let c = read("]d2010340095857484910AB\u{1d}0103400958574849");
        assert_eq!(c.elements.len(), 2);
        assert_eq!(
            refused("]d2010340095857484910AB\u{1d}10AC"),
            "lot (10) is given twice, as \u{ab}AB\u{bb} and \u{ab}AC\u{bb}"
        );
    }

    #[test]
    fn lots_and_serials_keep_to_character_set_82_and_their_length() {
        assert_eq!(
            refused("]d2010340095857484910AB CD"),
            "character ' ' is not allowed in a lot (10)"
        );
        assert_eq!(
            refused("]d201034009585748491012345678901234567890X"),
            "lot (10) has 21 characters, at most 20 are allowed"
        );
        assert_eq!(refused("]d2010340095857484921\u{1d}10AB"), "serial (21) is empty");
    }

    #[test]
    fn what_cannot_be_a_gs1_code_says_why() {
        assert_eq!(refused(""), "the code is empty");
        assert_eq!(refused("]d1HELLO"), "]d1 is a plain data matrix, not a GS1 code");
        assert_eq!(refused("]X9010340"), "unknown symbology identifier ]X9");
        assert_eq!(refused("]d299"), "company internal information (99) is empty");
        assert_eq!(
            refused("]d2010340095857"),
            "GTIN (01) needs 14 characters, the code has 10"
        );
        assert_eq!(
            refused("]d21727053110AB"),
            "the code has no GTIN (01): it does not name a product"
        );
        assert_eq!(refused("]d2ABC"), "unknown application identifier at \u{ab}ABC\u{bb}");
        assert_eq!(
            refused("]d2011234567890123X"),
            "GTIN (01) must be digits, not \u{ab}1234567890123X\u{bb}"
        );
        assert_eq!(
            refused("(01)0340095857484"),
            "GTIN (01) needs 14 characters, the code has 13"
        );
        assert_eq!(
            refused("(0103400958574849"),
            "the bracket form is broken at \u{ab}(0103400\u{bb}"
        );
    }

    #[test]
    fn a_bare_cip13_is_a_gtin() {
        let c = read("3400958574849");
        assert_eq!((c.gtin.as_str(), c.cip13()), ("03400958574849", Some("3400958574849")));
        assert_eq!(c.warnings.len(), 1);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    const SET_82: &str = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    /// A valid GTIN-14: 13 random digits and their check digit.
    fn gtin() -> impl Strategy<Value = String> {
        proptest::collection::vec(0u32..10, 13).prop_map(|body| {
            let digits: String = body.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
            (0..10)
                .map(|c| format!("{digits}{c}"))
                .find(|g| Gtin::parse(g).is_ok())
                .unwrap()
        })
    }

    /// A date the century rule places back where it came from, and its YYMMDD (DD `00` for the
    /// last day of the month, half the time).
    fn date() -> impl Strategy<Value = (NaiveDate, String)> {
        (1977i32..=2076, 1u32..=12, 1u32..=31, any::<bool>()).prop_map(|(y, m, d, zero)| {
            let last = last_day(y, m);
            let day = d.min(last);
            let dd = if zero && day == last { 0 } else { day };
            (
                NaiveDate::from_ymd_opt(y, m, day).unwrap(),
                format!("{:02}{m:02}{dd:02}", y.rem_euclid(100)),
            )
        })
    }

    fn text(max: usize, brackets: bool) -> impl Strategy<Value = String> {
        let set: Vec<char> = SET_82.chars().filter(|c| !brackets || !"()".contains(*c)).collect();
        proptest::collection::vec(proptest::sample::select(set), 1..=max).prop_map(|cs| cs.into_iter().collect())
    }

    #[derive(Debug, Clone)]
    struct Fields {
        gtin: String,
        expiry: Option<(NaiveDate, String)>,
        production: Option<(NaiveDate, String)>,
        lot: Option<String>,
        serial: Option<String>,
        order: Vec<usize>,
    }

    fn fields(brackets: bool) -> impl Strategy<Value = Fields> {
        (
            gtin(),
            proptest::option::of(date()),
            proptest::option::of(date()),
            proptest::option::of(text(20, brackets)),
            proptest::option::of(text(20, brackets)),
            Just((0..5).collect::<Vec<usize>>()).prop_shuffle(),
        )
            .prop_map(|(gtin, expiry, production, lot, serial, order)| Fields {
                gtin,
                expiry,
                production,
                lot,
                serial,
                order,
            })
    }

    /// The elements in their shuffled order, as (AI, value, variable length).
    fn elements(f: &Fields) -> Vec<(&'static str, String, bool)> {
        let all = [
            Some(("01", f.gtin.clone(), false)),
            f.expiry.as_ref().map(|(_, s)| ("17", s.clone(), false)),
            f.production.as_ref().map(|(_, s)| ("11", s.clone(), false)),
            f.lot.clone().map(|l| ("10", l, true)),
            f.serial.clone().map(|s| ("21", s, true)),
        ];
        f.order.iter().filter_map(|i| all[*i].clone()).collect()
    }

    fn check(f: &Fields, c: &Gs1Code) {
        assert_eq!(c.gtin.as_str(), f.gtin);
        assert_eq!(c.expires_on, f.expiry.as_ref().map(|(d, _)| *d));
        assert_eq!(c.production_date, f.production.as_ref().map(|(d, _)| *d));
        assert_eq!(c.lot_number, f.lot);
        assert_eq!(c.serial, f.serial);
    }

    proptest! {
        #[test]
        fn raw_strings_read_back(f in fields(false), prefix in proptest::sample::select(vec!["", "]d2", "]C1", "]Q3"]), stray in any::<bool>()) {
            let parts = elements(&f);
            let mut s = String::from(prefix);
            if stray {
                s.push(GS);
            }
            for (i, (ai, value, variable)) in parts.iter().enumerate() {
                s.push_str(ai);
                s.push_str(value);
                if *variable && i + 1 < parts.len() {
                    s.push(GS);
                }
            }
            let c = parse(&s, today()).unwrap_or_else(|e| panic!("{s:?}: {e}"));
            check(&f, &c);
        }

        #[test]
        fn bracket_strings_read_back(f in fields(true)) {
            let s: String = elements(&f).iter().map(|(ai, value, _)| format!("({ai}){value}")).collect();
            let c = parse(&s, today()).unwrap_or_else(|e| panic!("{s:?}: {e}"));
            check(&f, &c);
            prop_assert!(c.warnings.is_empty());
        }

        #[test]
        fn nothing_panics(s in "\\PC{0,60}") {
            let _ = parse(&s, today());
        }

        /// Known AIs, separators and digits among characters of two, three and four bytes,
        /// where a cut by bytes would fall inside a character (`01aaaaaaaaaaaaaé` once panicked).
        #[test]
        fn multibyte_text_among_ais_never_panics(
            prefix in proptest::sample::select(vec!["", "]d2", "]C1", "("]),
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "01", "17", "10", "21", "11", "240", "(01)", "(17)", "(10)", ")", "\u{1d}", "0", "9", "a",
                "é", "€", "😀", "aaaaaaaaaaaaa", "0340095857484",
            ]), 0..24),
        ) {
            let s: String = std::iter::once(prefix).chain(parts).collect();
            let _ = parse(&s, today());
        }
    }
}
