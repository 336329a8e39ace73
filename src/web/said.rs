//! The use-cases' words, in the reader's language. A refusal reaches a page with its code (the
//! kind, the problem type's last segment) and the API's English words; the page says the kind in
//! its own language, and each field message through a table of the use-cases' message templates
//! (`{}` for what varies), French first like every text of the pages. A message no template
//! matches keeps the API's words (and a unit test keeps the common ones covered).

use super::i18n::{fill_owned, is_english};
use crate::service::refusal::ProblemKind;

/// English template → French template, `{}` for what varies (in the same order).
const FRENCH: &[(&str, &str)] = &[
    ("is required", "est obligatoire"),
    ("is required for {}", "est obligatoire pour ce mouvement ({})"),
    ("is not used by {}", "n'est pas utilisé par ce mouvement ({})"),
    (
        "is required unless the line has a scan",
        "est obligatoire, sauf si la ligne a un code scanné",
    ),
    (
        "is required: the scanned code has no {}",
        "est obligatoire : le code scanné n'a pas de {}",
    ),
    ("is listed twice", "figure deux fois"),
    ("names no field to change", "ne change aucun champ"),
    ("no such item", "article inconnu"),
    ("no such lot", "lot inconnu"),
    ("no such location", "emplacement inconnu"),
    ("no such patient", "patient inconnu"),
    ("no such supplier", "fournisseur inconnu"),
    ("no such order line", "ligne de commande inconnue"),
    ("the item is inactive", "l'article est désactivé"),
    ("the location is inactive", "l'emplacement est désactivé"),
    ("the supplier is inactive", "le fournisseur est désactivé"),
    (
        "the lot belongs to another item",
        "le lot appartient à un autre article",
    ),
    (
        "the order line belongs to another item",
        "la ligne de commande concerne un autre article",
    ),
    ("must be a whole number", "doit être un nombre entier"),
    ("must be a date (YYYY-MM-DD)", "doit être une date (AAAA-MM-JJ)"),
    (
        "must be a date and time (YYYY-MM-DDTHH:MM)",
        "doit être une date et une heure",
    ),
    ("must be a number of °C", "doit être une température en °C"),
    ("must be between {} and {}", "doit être entre {} et {}"),
    ("must be at most {} characters", "doit faire au plus {} caractères"),
    (
        "must be at least {} characters (spaces at either end do not count)",
        "doit faire au moins {} caractères (sans compter les espaces aux extrémités)",
    ),
    ("must not be empty", "ne doit pas être vide"),
    ("must not be in the future", "ne doit pas être dans le futur"),
    ("must be after 2000-01-01", "doit être après le 01/01/2000"),
    ("must not be before started_at", "ne doit pas précéder le début"),
    (
        "must not be before ordered_on",
        "ne doit pas précéder la date de commande",
    ),
    (
        "must differ from location_id",
        "doit différer de l'emplacement de départ",
    ),
    ("must hold at least one line", "doit avoir au moins une ligne"),
    ("must hold 1 to {} lines", "doit avoir de 1 à {} lignes"),
    ("must be release or destroy", "doit être « libérer » ou « détruire »"),
    ("is already past", "est déjà passée"),
    ("is not an email address", "n'est pas une adresse électronique"),
    (
        "does not exist on this clock (the hour skipped in spring)",
        "n'existe pas à l'heure locale (l'heure sautée au printemps)",
    ),
    (
        "is not active: only active patients receive",
        "n'est pas actif : seuls les patients actifs reçoivent",
    ),
    (
        "no such lot: lot {} of this item was never received",
        "lot inconnu : le lot {} de cet article n'a jamais été reçu",
    ),
    (
        "no such item: GTIN {} is in no item of the catalog",
        "article inconnu : le GTIN {} n'est dans aucun article du catalogue",
    ),
    (
        "must be 1: the scanned code names one pack (serial {})",
        "doit valoir 1 : le code scanné désigne une seule boîte (n° de série {})",
    ),
    (
        "says {}, but the scanned code says {}",
        "indique {}, mais le code scanné indique {}",
    ),
    (
        "lists more serials than units received",
        "liste plus de numéros de série que d'unités reçues",
    ),
    ("cannot read the code: {}", "code illisible : {}"),
    (
        "the movement is dated before the lot's first receipt ({})",
        "le mouvement est daté d'avant la première réception du lot ({})",
    ),
    (
        "lot {} is already counted by {}: count each lot once",
        "le lot {} est déjà compté ({}) : comptez chaque lot une fois",
    ),
];

/// A message of the use-cases in the page's language.
pub fn said(english: &str) -> String {
    if is_english() {
        return english.to_owned();
    }
    FRENCH
        .iter()
        .find_map(|(en, fr)| matched(en, english).map(|values| fill_owned(fr, &values)))
        .unwrap_or_else(|| english.to_owned())
}

/// What a refusal is, in the page's language (its details are the fields' messages).
pub fn refused(kind: ProblemKind) -> &'static str {
    use ProblemKind as K;
    let fr = match kind {
        K::InsufficientStock => "Stock insuffisant à cet emplacement.",
        K::LotExpired => "Ce lot est périmé.",
        K::LotQuarantined => "Ce lot est en quarantaine.",
        K::LotRecalled => "Ce lot est rappelé.",
        K::LotExpiryMismatch => "Ce lot est connu avec une autre date de péremption.",
        K::DuplicateSerial => "Ce numéro de série a déjà été reçu.",
        K::SerialUnavailable => "Cette boîte n'est pas là où ce mouvement la prend.",
        K::SerialRequired => "Ces unités sont des boîtes sérialisées : scannez chaque boîte qui sort.",
        K::ReturnExceedsDispensed => "Ce retour dépasse ce que les patients ont reçu de ce lot.",
        K::AlreadyReversed => "Ce mouvement a déjà été annulé.",
        K::NotReversible => "Ce mouvement ne peut pas être annulé.",
        K::AlreadyDecided => "Ce lot a déjà fait l'objet d'une décision.",
        K::PatientNotActive => "Ce patient n'est pas actif.",
        K::OrderClosed => "Cette commande est close.",
        K::Duplicate => "Cela existe déjà.",
        K::LastAdmin => "Le dernier administrateur actif reste administrateur.",
        K::NotFound => "Introuvable.",
        K::Forbidden => "Votre rôle ne permet pas cette action.",
        K::Unavailable => "La base de données ne répond pas : réessayez dans un instant.",
        K::ValidationFailed => "Vérifiez les champs signalés.",
        _ => "La demande a été refusée.",
    };
    super::i18n::t(fr)
}

/// The values a message fills into `template`'s `{}`s, if it is that template.
fn matched<'a>(template: &str, message: &'a str) -> Option<Vec<&'a str>> {
    let parts: Vec<&str> = template.split("{}").collect();
    let mut rest = message.strip_prefix(parts[0])?;
    let mut values = Vec::new();
    for (i, part) in parts.iter().enumerate().skip(1) {
        let last = i == parts.len() - 1;
        let at = if last {
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
        values.push(&rest[..at]);
        rest = &rest[at + part.len()..];
    }
    (rest.is_empty() && !values.iter().any(|v| v.is_empty())).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_the_same_values() {
        for (en, fr) in FRENCH {
            assert_eq!(en.matches("{}").count(), fr.matches("{}").count(), "{en}");
        }
        assert_eq!(
            matched("must be between {} and {}", "must be between 1 and 45"),
            Some(vec!["1", "45"])
        );
        assert_eq!(matched("is required", "is required for dispense"), None);
        assert_eq!(
            matched("is required for {}", "is required for dispense"),
            Some(vec!["dispense"])
        );
        assert_eq!(
            matched("cannot read the code: {}", "cannot read the code: GTIN 1: check digit"),
            Some(vec!["GTIN 1: check digit"])
        );
    }

    #[tokio::test]
    async fn a_refusal_reads_in_french_on_a_french_page() {
        use super::super::i18n::{scope, Lang};
        scope(Lang::Fr, chrono_tz::Europe::Paris, async {
            assert_eq!(said("must be between 1 and 45"), "doit être entre 1 et 45");
            assert_eq!(
                said("no such lot: lot NEVER of this item was never received"),
                "lot inconnu : le lot NEVER de cet article n'a jamais été reçu"
            );
            assert_eq!(said("an unforeseen message"), "an unforeseen message");
            assert_eq!(
                refused(ProblemKind::SerialRequired),
                "Ces unités sont des boîtes sérialisées : scannez chaque boîte qui sort."
            );
        })
        .await;
        scope(Lang::En, chrono_tz::Europe::Paris, async {
            assert_eq!(said("must be between 1 and 45"), "must be between 1 and 45");
            assert_eq!(
                refused(ProblemKind::SerialRequired),
                "These units are serialised packs: scan each pack that leaves."
            );
        })
        .await;
    }
}
