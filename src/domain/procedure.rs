//! Procedures: the bundle of consumables one act of care uses.

use super::ids::ItemId;
use super::ledger::DrawLine;
use super::quantity::Quantity;
use super::validation::FieldError;

/// The procedure that also moves the patient's next refill date.
pub const REFILL: &str = "refill";
pub const CODE_MAX: usize = 40;
/// What `parse_code` accepts, for the OpenAPI document.
pub const CODE_PATTERN: &str = "^[a-z0-9_]+$";
pub const NAME_MAX: usize = 200;
pub const LINES_MAX: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BundleLine {
    pub item: ItemId,
    pub quantity: Quantity,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Procedure {
    pub code: String,
    pub name: String,
    pub lines: Vec<BundleLine>,
}

/// Procedure codes are lower-case identifiers, like `refill` or `catheter_change`.
pub fn parse_code(field: &str, value: &str) -> Result<String, FieldError> {
    let ok = !value.is_empty()
        && value.len() <= CODE_MAX
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(value.to_owned())
    } else {
        Err(FieldError::new(
            field,
            format!("must be 1 to {CODE_MAX} characters of a-z, 0-9 and _"),
        ))
    }
}

/// The lines of one performance of a procedure: `overrides` replace the quantity of an item of
/// the bundle and add the items it lacks, after the bundle's own.
pub fn bundle(procedure: &[BundleLine], overrides: &[BundleLine]) -> Vec<BundleLine> {
    let mut lines: Vec<BundleLine> = procedure.to_vec();
    for extra in overrides {
        match lines.iter_mut().find(|l| l.item == extra.item) {
            Some(line) => line.quantity = extra.quantity,
            None => lines.push(*extra),
        }
    }
    lines
}

/// What a procedure takes: the boxes scanned for it (their own lots), then FEFO for every item of
/// the bundle no box was scanned for.
pub fn draw(lines: &[BundleLine], scanned: Vec<DrawLine>) -> Vec<DrawLine> {
    let fefo = lines
        .iter()
        .filter(|l| !scanned.iter().any(|s| s.item == l.item))
        .map(|l| DrawLine {
            item: l.item,
            lot: None,
            quantity: l.quantity,
            serial: None,
        })
        .collect::<Vec<_>>();
    scanned.into_iter().chain(fefo).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanned_boxes_replace_their_items_and_the_rest_is_fefo() {
        let refill = [line(2, 1), line(4, 1), line(1, 2)];
        let vial = |lot: i64, serial: &str| DrawLine {
            item: ItemId(1),
            lot: Some(crate::domain::ids::LotId(lot)),
            quantity: Quantity::new(1).unwrap(),
            serial: Some(serial.into()),
        };
        let drawn = draw(&refill, vec![vial(7, "A"), vial(8, "B")]);
        assert_eq!(drawn.len(), 4);
        assert_eq!(drawn[0], vial(7, "A"));
        assert_eq!(drawn[1], vial(8, "B"));
        assert_eq!((drawn[2].item, drawn[2].lot), (ItemId(2), None));
        assert_eq!((drawn[3].item, drawn[3].lot), (ItemId(4), None));
        assert_eq!(draw(&refill, Vec::new()).len(), 3);
    }

    fn line(item: i64, quantity: i64) -> BundleLine {
        BundleLine {
            item: ItemId(item),
            quantity: Quantity::new(quantity).unwrap(),
        }
    }

    #[test]
    fn overrides_replace_and_extend() {
        let refill = [line(2, 1), line(4, 1), line(1, 2)];
        assert_eq!(bundle(&refill, &[]), refill.to_vec());
        assert_eq!(
            bundle(&refill, &[line(1, 3), line(5, 1)]),
            vec![line(2, 1), line(4, 1), line(1, 3), line(5, 1)]
        );
    }

    #[test]
    fn codes_are_lower_case_identifiers() {
        assert!(parse_code("code", "catheter_change").is_ok());
        assert!(parse_code("code", "Refill").is_err());
        assert!(parse_code("code", "").is_err());
        assert!(parse_code("code", "a b").is_err());
    }
}
