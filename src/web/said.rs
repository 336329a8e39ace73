//! The use-cases' words, in the reader's language. A refusal reaches a page with its code (the
//! kind, the problem type's last segment) and the API's English words; the page says the kind in
//! its own language, and each field message by its code (`domain::messages`), French first like
//! every text of the pages. A message without a code of its own keeps the API's words.

use super::i18n::{fill_owned, is_english};
use crate::domain::messages;
use crate::domain::validation::FieldError;
use crate::service::refusal::ProblemKind;

/// A message's code → its French template, `{}` for what varies (in the English order).
const FRENCH: &[(&str, &str)] = &[
    ("is-required", "est obligatoire"),
    ("is-required-for-x", "est obligatoire pour ce mouvement ({})"),
    ("is-not-used-by-x", "n'est pas utilisé par ce mouvement ({})"),
    (
        "is-required-unless-the-line-has",
        "est obligatoire, sauf si la ligne a un code scanné",
    ),
    (
        "is-required-the-scanned-code-has",
        "est obligatoire : le code scanné n'a pas de {}",
    ),
    ("is-listed-twice", "figure deux fois"),
    ("names-no-field-to-change", "ne change aucun champ"),
    ("no-such-item", "article inconnu"),
    ("no-such-lot", "lot inconnu"),
    ("no-such-location", "emplacement inconnu"),
    ("no-such-patient", "patient inconnu"),
    ("no-such-supplier", "fournisseur inconnu"),
    ("no-such-order-line", "ligne de commande inconnue"),
    ("the-item-is-inactive", "l'article est désactivé"),
    ("the-location-is-inactive", "l'emplacement est désactivé"),
    ("the-supplier-is-inactive", "le fournisseur est désactivé"),
    (
        "the-lot-belongs-to-another-item",
        "le lot appartient à un autre article",
    ),
    (
        "the-order-line-belongs-to-another",
        "la ligne de commande concerne un autre article",
    ),
    ("must-be-a-whole-number", "doit être un nombre entier"),
    ("must-be-a-date-yyyy-mm", "doit être une date (AAAA-MM-JJ)"),
    ("must-be-a-date-and-time", "doit être une date et une heure"),
    ("must-be-a-number-of-c", "doit être une température en °C"),
    ("must-be-between-x-and-x", "doit être entre {} et {}"),
    ("must-be-at-most-x-characters", "doit faire au plus {} caractères"),
    (
        "must-be-at-least-x-characters",
        "doit faire au moins {} caractères (sans compter les espaces aux extrémités)",
    ),
    ("must-not-be-empty", "ne doit pas être vide"),
    ("must-not-be-in-the-future", "ne doit pas être dans le futur"),
    ("must-be-after-2000-01-01", "doit être après le 01/01/2000"),
    ("must-not-be-before-started-at", "ne doit pas précéder le début"),
    (
        "must-not-be-before-ordered-on",
        "ne doit pas précéder la date de commande",
    ),
    (
        "must-differ-from-location-id",
        "doit différer de l'emplacement de départ",
    ),
    ("must-hold-at-least-one-line", "doit avoir au moins une ligne"),
    ("must-hold-1-to-x-lines", "doit avoir de 1 à {} lignes"),
    ("must-be-release-or-destroy", "doit être « libérer » ou « détruire »"),
    ("is-already-past", "est déjà passée"),
    ("is-not-an-email-address", "n'est pas une adresse électronique"),
    (
        "does-not-exist-on-this-clock",
        "n'existe pas à l'heure locale (l'heure sautée au printemps)",
    ),
    (
        "is-not-active-only-active-patients",
        "n'est pas actif : seuls les patients actifs reçoivent",
    ),
    (
        "no-such-lot-lot-x-of",
        "lot inconnu : le lot {} de cet article n'a jamais été reçu",
    ),
    (
        "no-such-item-gtin-x-is",
        "article inconnu : le GTIN {} n'est dans aucun article du catalogue",
    ),
    (
        "must-be-1-the-scanned-code",
        "doit valoir 1 : le code scanné désigne une seule boîte (n° de série {})",
    ),
    (
        "says-x-but-the-scanned-code",
        "indique {}, mais le code scanné indique {}",
    ),
    (
        "lists-more-serials-than-units-received",
        "liste plus de numéros de série que d'unités reçues",
    ),
    ("cannot-read-the-code-x", "code illisible : {}"),
    (
        "the-movement-is-dated-before-the",
        "le mouvement est daté d'avant la première réception du lot ({})",
    ),
    (
        "lot-x-is-already-counted-by",
        "le lot {} est déjà compté ({}) : comptez chaque lot une fois",
    ),
];

/// A field's message in the page's language, by its code (the API's words when the code has
/// none here).
pub fn said(error: &FieldError) -> String {
    if is_english() {
        return error.message.clone();
    }
    let french = FRENCH.iter().find(|(code, _)| *code == error.code).map(|(_, fr)| *fr);
    let filled = french
        .zip(messages::template(error.code))
        .and_then(|(fr, en)| messages::values(en, &error.message).map(|values| fill_owned(fr, &values)));
    filled.unwrap_or_else(|| error.message.clone())
}

/// A refusal's detail in the page's language, when it is one of the fields' messages.
pub fn said_text(english: &str) -> String {
    said(&FieldError::new("", english))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_said_in_french_with_the_same_values() {
        for (code, en) in messages::TEMPLATES {
            let fr = FRENCH.iter().find(|(c, _)| c == code).map(|(_, fr)| *fr);
            let fr = fr.unwrap_or_else(|| panic!("no French for {code}"));
            assert_eq!(en.matches("{}").count(), fr.matches("{}").count(), "{code}");
        }
    }

    #[tokio::test]
    async fn a_refusal_reads_in_french_on_a_french_page() {
        use super::super::i18n::{scope, Lang};
        scope(Lang::Fr, chrono_tz::Europe::Paris, async {
            assert_eq!(
                said(&FieldError::new("x", "must be between 1 and 45")),
                "doit être entre 1 et 45"
            );
            assert_eq!(
                said_text("no such lot: lot NEVER of this item was never received"),
                "lot inconnu : le lot NEVER de cet article n'a jamais été reçu"
            );
            assert_eq!(said_text("an unforeseen message"), "an unforeseen message");
            assert_eq!(
                refused(ProblemKind::SerialRequired),
                "Ces unités sont des boîtes sérialisées : scannez chaque boîte qui sort."
            );
        })
        .await;
        scope(Lang::En, chrono_tz::Europe::Paris, async {
            assert_eq!(said_text("must be between 1 and 45"), "must be between 1 and 45");
            assert_eq!(
                refused(ProblemKind::SerialRequired),
                "These units are serialised packs: scan each pack that leaves."
            );
        })
        .await;
    }
}
