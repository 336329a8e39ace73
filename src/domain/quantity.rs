use super::validation::FieldError;

/// The most units one line may move: far above any real MIP order, far below overflow.
pub const MAX_QUANTITY: u32 = 100_000;

/// A number of units moved by one line: positive and bounded, so it cannot be zero, negative
/// or large enough to overflow a balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity(u32);

impl Quantity {
    pub fn new(value: i64) -> Option<Quantity> {
        u32::try_from(value)
            .ok()
            .filter(|v| (1..=MAX_QUANTITY).contains(v))
            .map(Quantity)
    }

    pub fn parse(field: &str, value: i64) -> Result<Quantity, FieldError> {
        Quantity::new(value).ok_or_else(|| FieldError::new(field, format!("must be between 1 and {MAX_QUANTITY}")))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    pub fn as_i64(self) -> i64 {
        i64::from(self.0)
    }
}

/// A counted shelf quantity: zero or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted(u32);

impl Counted {
    pub fn parse(field: &str, value: i64) -> Result<Counted, FieldError> {
        u32::try_from(value)
            .ok()
            .filter(|v| *v <= MAX_QUANTITY)
            .map(Counted)
            .ok_or_else(|| FieldError::new(field, format!("must be between 0 and {MAX_QUANTITY}")))
    }

    pub fn as_i64(self) -> i64 {
        i64::from(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_are_positive_and_bounded() {
        assert!(Quantity::new(0).is_none());
        assert!(Quantity::new(-1).is_none());
        assert!(Quantity::new(i64::MAX).is_none());
        assert_eq!(Quantity::new(100_000).unwrap().get(), 100_000);
        assert!(Quantity::new(100_001).is_none());
        assert!(Counted::parse("c", 0).is_ok());
        assert!(Counted::parse("c", -1).is_err());
    }
}
