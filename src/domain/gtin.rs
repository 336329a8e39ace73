use std::fmt;

use serde::Serialize;

/// A GS1 Global Trade Item Number, always held as its 14-digit form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Gtin(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GtinError {
    #[error("a GTIN has 8, 12, 13 or 14 digits")]
    Length,
    #[error("a GTIN contains only digits")]
    NotDigits,
    #[error("wrong GS1 check digit (expected {expected})")]
    CheckDigit { expected: u32 },
}

impl Gtin {
    /// Accepts GTIN-8, GTIN-12 (UPC), GTIN-13 (EAN, CIP13) and GTIN-14, and normalises to 14
    /// digits with leading zeros, so one product has one spelling.
    pub fn parse(input: &str) -> Result<Gtin, GtinError> {
        let input = input.trim();
        if !matches!(input.len(), 8 | 12 | 13 | 14) {
            return Err(if input.bytes().all(|b| b.is_ascii_digit()) {
                GtinError::Length
            } else {
                GtinError::NotDigits
            });
        }
        let digits: Vec<u32> = input
            .chars()
            .map(|c| c.to_digit(10).ok_or(GtinError::NotDigits))
            .collect::<Result<_, _>>()?;
        let (body, check) = digits.split_at(digits.len() - 1);
        let expected = check_digit(body);
        if check[0] != expected {
            return Err(GtinError::CheckDigit { expected });
        }
        Ok(Gtin(format!("{input:0>14}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// GS1 mod-10: weights 3 and 1 alternate from the rightmost digit of the body.
fn check_digit(body: &[u32]) -> u32 {
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    (10 - sum % 10) % 10
}

impl fmt::Display for Gtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cip13_of_insuman_implantable_normalises_to_gtin14() {
        assert_eq!(Gtin::parse("3400958574849").unwrap().as_str(), "03400958574849");
        assert_eq!(Gtin::parse("03400958574849").unwrap().as_str(), "03400958574849");
    }

    #[test]
    fn all_lengths_are_accepted() {
        assert_eq!(Gtin::parse("96385074").unwrap().as_str(), "00000096385074"); // GTIN-8
        assert_eq!(Gtin::parse("036000291452").unwrap().as_str(), "00036000291452"); // UPC-A
        assert_eq!(Gtin::parse("4006381333931").unwrap().as_str(), "04006381333931"); // EAN-13
        assert_eq!(Gtin::parse("10012345678902").unwrap().as_str(), "10012345678902");
        // GTIN-14
    }

    #[test]
    fn wrong_inputs_are_refused() {
        assert_eq!(Gtin::parse("3400958574848"), Err(GtinError::CheckDigit { expected: 9 }));
        assert_eq!(Gtin::parse("12345"), Err(GtinError::Length));
        assert_eq!(Gtin::parse("34009585748A9"), Err(GtinError::NotDigits));
        assert_eq!(Gtin::parse("３４００９５８５７４８４９"), Err(GtinError::NotDigits));
        assert_eq!(Gtin::parse(""), Err(GtinError::Length));
    }
}
