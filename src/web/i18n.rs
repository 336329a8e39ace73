//! The web app's languages: French first, English available. The page's language is the
//! `mipstock_lang` cookie's (French without one); a page's text is written in French and looked
//! up here for English, and dates and numbers are written each language's way. The language is
//! set for the whole of one page's request by the pages' middleware (`scope`).

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::OnceLock;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

const COOKIE: &str = "mipstock_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    fn parse(code: &str) -> Option<Lang> {
        match code {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The request's language: its cookie's, French otherwise.
    pub fn of(req: &HttpRequest) -> Lang {
        req.cookie(COOKIE)
            .and_then(|c| Lang::parse(c.value()))
            .unwrap_or_default()
    }
}

/// Who reads a page: in which language, and in which time zone (the pharmacy's).
#[derive(Debug, Clone, Copy)]
struct Reader {
    lang: Lang,
    zone: Tz,
}

tokio::task_local! {
    static READER: Reader;
}

/// Runs one page's request in its language and the pharmacy's time zone.
pub async fn scope<F: std::future::Future>(lang: Lang, zone: Tz, page: F) -> F::Output {
    READER.scope(Reader { lang, zone }, page).await
}

fn current() -> Lang {
    READER.try_with(|r| r.lang).unwrap_or_default()
}

fn zone() -> Tz {
    READER.try_with(|r| r.zone).unwrap_or(chrono_tz::Europe::Paris)
}

/// A stored UTC time as the pharmacy's clock shows it.
pub fn local(at: NaiveDateTime) -> NaiveDateTime {
    zone().from_utc_datetime(&at).naive_local()
}

/// A time typed on the pharmacy's clock, in UTC; `None` for a time the clock skips (the spring
/// change). A time it shows twice (the autumn change) is the first of the two.
pub fn from_local(at: NaiveDateTime) -> Option<DateTime<Utc>> {
    zone()
        .from_local_datetime(&at)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// A stored UTC time as the page shows it: the local date and hour.
pub fn time_text(at: NaiveDateTime) -> String {
    let at = local(at);
    format!("{} {}", date_text(at.date()), at.format("%H:%M"))
}

/// The local hour of a stored UTC time.
pub fn hour_text(at: NaiveDateTime) -> String {
    local(at).format("%H:%M").to_string()
}

/// The page's words for this French text.
pub fn t(fr: &'static str) -> &'static str {
    match current() {
        Lang::Fr => fr,
        Lang::En => english().get(fr).copied().unwrap_or(fr),
    }
}

/// `t(fr)` with each `{}` replaced by the next argument.
/// Whether the page is read in English.
pub fn is_english() -> bool {
    current() == Lang::En
}

/// `template` with its `{}`s filled by `values`, in order (a template already in the page's
/// language).
pub fn fill_owned(template: &str, values: &[&str]) -> String {
    let mut out = String::new();
    let mut values = values.iter();
    let mut parts = template.split("{}").peekable();
    while let Some(part) = parts.next() {
        out.push_str(part);
        if parts.peek().is_some() {
            out.push_str(values.next().copied().unwrap_or_default());
        }
    }
    out
}

pub fn fill(fr: &'static str, args: &[&dyn Display]) -> String {
    let mut out = String::new();
    let mut args = args.iter();
    let mut parts = t(fr).split("{}").peekable();
    while let Some(part) = parts.next() {
        out.push_str(part);
        if parts.peek().is_some() {
            if let Some(arg) = args.next() {
                out.push_str(&arg.to_string());
            }
        }
    }
    out
}

/// `12/03/2027` in French; `2027-03-12` in English (unambiguous on both sides of the Channel).
pub fn date_text(date: NaiveDate) -> String {
    match current() {
        Lang::Fr => date.format("%d/%m/%Y").to_string(),
        Lang::En => date.to_string(),
    }
}

/// `1 234` with a narrow no-break space in French, `1,234` in English.
pub fn number_text(n: i64) -> String {
    let separator = match current() {
        Lang::Fr => '\u{202f}',
        Lang::En => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// One decimal, with a comma in French.
pub fn decimal(v: f64) -> String {
    let text = format!("{v:.1}");
    match current() {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    }
}

/// The templates' filter: `{{ "Aujourd'hui"|t }}`. Its texts are this file's constants, written
/// as HTML text (no markup in them): an apostrophe stays an apostrophe.
pub mod filters {
    pub fn t(fr: &'static str, _: &dyn askama::Values) -> askama::Result<askama::filters::Safe<&'static str>> {
        Ok(askama::filters::Safe(super::t(fr)))
    }
}

/// `/lang/{code}`: remembers the choice and goes back to the page it was made on.
pub async fn choose(req: HttpRequest, code: web::Path<String>) -> HttpResponse {
    let Some(lang) = Lang::parse(&code) else {
        return HttpResponse::NotFound().finish();
    };
    // Back to the page the link was on: only a page of this site, named by this site's host.
    let host = req.connection_info().host().to_owned();
    let back = req
        .headers()
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| own_path(r, &host))
        .unwrap_or_else(|| "/".to_owned());
    let cookie = Cookie::build(COOKIE, if lang == Lang::En { "en" } else { "fr" })
        .path("/")
        .same_site(SameSite::Lax)
        .http_only(true)
        .max_age(actix_web::cookie::time::Duration::days(365))
        .finish();
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, back))
        .cookie(cookie)
        .finish()
}

/// The path of `referer` when it is a page of this site (`host`): a plain absolute path, never
/// one a browser would read as another site's (`//x`, `/\\x`) nor the language links themselves.
fn own_path(referer: &str, host: &str) -> Option<String> {
    let rest = referer
        .strip_prefix("https://")
        .or_else(|| referer.strip_prefix("http://"))?;
    let (authority, path) = rest.split_at(rest.find('/')?);
    let plain = |c: char| c.is_ascii_alphanumeric() || "/-_.~%?=&;:+,".contains(c);
    let safe =
        path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/lang/") && path.chars().all(plain);
    (authority.eq_ignore_ascii_case(host) && safe).then(|| path.to_owned())
}

fn english() -> &'static HashMap<&'static str, &'static str> {
    static TABLE: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    TABLE.get_or_init(|| ENGLISH.iter().copied().collect())
}

/// French → English, for every text the pages show.
const ENGLISH: &[(&str, &str)] = &[
    // The page's own language attribute.
    ("fr", "en"),
    ("(arrivée le", "(arriving"),
    ("(tous les", "(every"),
    (", du", ", from"),
    (", ou en retard.", ", or late."),
    (", périme le", ", expires"),
    ("Actions", "Actions"),
    ("Afficher", "Show"),
    ("Ajouter le fournisseur", "Add the supplier"),
    ("Alertes", "Alerts"),
    ("Alertes ouvertes (", "Open alerts ("),
    ("Article", "Item"),
    ("Attendue le", "Expected on"),
    ("Au", "To"),
    ("Aucun lot n°", "No lot"),
    ("Aucun patient ne détient d'unité de ce lot.", "No patient holds a unit of this lot."),
    ("Aucun remplissage prévu.", "No refill booked."),
    ("Aucun stock.", "No stock."),
    ("Aucune alerte ouverte.", "No open alert."),
    ("Aucune alerte.", "No alert."),
    (
        "Aucune commande en attente : la réception se fait sans commande.",
        "No order pending: receive without an order.",
    ),
    ("Aucune commande en cours.", "No order on its way."),
    ("Aucune excursion déclarée.", "No excursion reported."),
    ("Aucune recharge prévue.", "No refill due."),
    (
        "Aucune unité réfrigérée n'était à cet emplacement.",
        "No refrigerated unit was at this location.",
    ),
    ("Aujourd'hui", "Today"),
    ("Aujourd'hui,", "Today,"),
    ("Bloqué", "Held"),
    ("Bon de livraison", "Delivery note"),
    ("Boîte", "Box"),
    ("Boîtes scannées (facultatif : un code par ligne)", "Scanned boxes (optional: one code per line)"),
    ("Ce que la recharge délivre", "What the refill dispenses"),
    ("Chaîne du froid", "Cold chain"),
    ("Chercher", "Search"),
    ("Code", "Code"),
    ("Code scanné", "Scanned code"),
    ("Commande", "Order"),
    ("Commander", "Order"),
    ("Commandes attendues (", "Orders expected ("),
    ("Commandes en attente", "Pending orders"),
    ("Compter, détruire, transférer", "Count, destroy, transfer"),
    ("Comptes", "Accounts"),
    ("Connexion", "Sign in"),
    ("Courriel", "Email"),
    ("Courriel des commandes", "Orders email"),
    ("Couverture", "Cover"),
    ("Créer le compte", "Create the account"),
    ("Date", "Date"),
    ("Date prévue", "Due on"),
    ("Depuis", "Since"),
    ("Disponible", "Available"),
    ("Du", "From"),
    ("Début", "Start"),
    ("Décision", "Decision"),
    ("Déclarer et bloquer les unités", "Report and hold the units"),
    ("Déclarer une excursion de température", "Report a temperature excursion"),
    ("Délai", "Lead time"),
    ("Délai de livraison (jours)", "Lead time (days)"),
    ("Délivrances (date : quantité)", "Dispensations (date: quantity)"),
    ("Délivrances et retours", "Dispensations and returns"),
    ("Désactiver", "Disable"),
    ("Détruire", "Destroy"),
    ("Emplacement", "Location"),
    ("Emplacement de réception", "Receiving location"),
    ("Emplacement où l'on prend", "Location to take from"),
    ("En commande", "On order"),
    ("En stock", "On hand"),
    ("Enregistrer", "Save"),
    ("Enregistrer la recharge", "Record the refill"),
    ("Enregistrer la réception", "Record the receipt"),
    ("Enregistrer le comptage", "Record the count"),
    ("Enregistrer le seuil", "Save the threshold"),
    ("Enregistrer une recharge", "Record a refill"),
    ("Excursion n°", "Excursion no."),
    ("Exporter en CSV", "Export as CSV"),
    ("Filtrer", "Filter"),
    ("Fin (vide si en cours)", "End (empty if ongoing)"),
    ("Fournisseurs", "Suppliers"),
    ("Historique du patient", "Patient history"),
    ("Identifiant", "Username"),
    ("Imprimer", "Print"),
    ("Intervalle", "Interval"),
    ("Intervalle de recharge (jours)", "Refill interval (days)"),
    ("Jetons d'API (intégrations)", "API tokens (integrations)"),
    ("Le calcul", "The working"),
    ("Libérer", "Release"),
    ("Lire les codes", "Read the codes"),
    ("Lot", "Lot"),
    ("Marquer comme vue", "Acknowledge"),
    ("Modifications enregistrées.", "Changes saved."),
    ("Mot de passe", "Password"),
    ("Mot de passe (12 caractères au moins)", "Password (at least 12 characters)"),
    ("Motif", "Reason"),
    ("Mouvement", "Movement"),
    ("Mouvement n°", "Movement no."),
    ("Navigation principale", "Main navigation"),
    ("Nom", "Name"),
    ("Nom (qui l'utilise)", "Name (who uses it)"),
    ("Nom affiché", "Display name"),
    ("Non enregistré : rien n'a été modifié.", "Not recorded: nothing was changed."),
    ("Note", "Note"),
    ("Note (avis du fabricant…)", "Note (manufacturer's advice…)"),
    ("Nouveau jeton", "New token"),
    ("Numéro de lot", "Lot number"),
    ("Numéros de série", "Serial numbers"),
    ("N°", "No."),
    ("N° de série", "Serial no."),
    ("Ouvertes", "Open"),
    ("Ouvertes et vues", "Open and acknowledged"),
    (
        "Pas de commande à passer : le stock et les commandes en cours couvrent la période.",
        "Nothing to order: stock and open orders cover the period.",
    ),
    ("Passer la commande", "Place the order"),
    ("Patient", "Patient"),
    ("Patients", "Patients"),
    ("Patients actifs dont la recharge est prévue au plus tard le", "Active patients due for a refill by"),
    ("Prochain remplissage", "Next refill"),
    ("Prochaine recharge", "Next refill"),
    ("Prochaine recharge prévue :", "Next refill due:"),
    ("Prévision", "Forecast"),
    ("Prévision à 90 jours", "90-day forecast"),
    ("Péremption", "Expiry"),
    ("Quantité", "Quantity"),
    ("Quantité comptée sur l'étagère", "Quantity counted on the shelf"),
    ("Quantité détruite", "Quantity destroyed"),
    ("Quantité à commander", "Reorder quantity"),
    ("Quantité à transférer", "Quantity to transfer"),
    ("Rappel de lot", "Lot recall"),
    ("Recharge", "Refill"),
    ("Recharge — patient", "Refill — patient"),
    ("Recharges", "Refills"),
    ("Recharges à faire", "Refills due"),
    ("Remplissages des 7 prochains jours (", "Refills in the next 7 days ("),
    ("Repères en texte", "Markers as text"),
    ("Rien sur la période.", "Nothing in the period."),
    ("Rupture prévue", "Projected stockout"),
    ("Réactiver", "Enable"),
    ("Réception", "Receive"),
    ("Réception contre la commande :", "Receiving against order:"),
    ("Réception d'une livraison", "Receive a delivery"),
    ("Réception de cette commande", "Receive this order"),
    ("Réfrigérateur (emplacement)", "Fridge (location)"),
    ("Référence de commande (facultatif)", "Order reference (optional)"),
    ("Réglages", "Settings"),
    ("Résolues", "Resolved"),
    ("Révoquer", "Revoke"),
    ("Rôle", "Role"),
    (
        "Scannez les boîtes utilisées : elles remplacent la ligne de leur article et leur lot est pris. Les articles non scannés sont pris par FEFO (premier périmé, premier sorti).",
        "Scan the boxes used: they replace their item's line and their lot is taken. Items not scanned are taken by FEFO (first expired, first out).",
    ),
    ("Se connecter", "Sign in"),
    ("Se déconnecter", "Sign out"),
    ("Seuil", "Reorder point"),
    ("Seuil (alerte à ou sous)", "Reorder point (alert at or below)"),
    ("Seuils de réapprovisionnement", "Reorder thresholds"),
    ("Statut", "Status"),
    ("Stock", "Stock"),
    ("Stock et prévision", "Stock and forecast"),
    ("Stock par article et emplacement", "Stock by item and location"),
    ("Stock utilisable projeté de", "Projected usable stock of"),
    ("Suggestion de commande", "Order suggestion"),
    ("Suivi des recharges", "Refill follow-up"),
    ("Température maximale (°C)", "Highest temperature (°C)"),
    ("Température minimale (°C, facultatif)", "Lowest temperature (°C, optional)"),
    ("Tous", "All"),
    ("Tous emplacements", "All locations"),
    (
        "Trait bleu foncé : stock utilisable en fin de journée. Repères :",
        "Dark blue line: usable stock at the end of each day. Markers:",
    ),
    ("Transférer", "Transfer"),
    ("Type", "Kind"),
    ("Unités bloquées", "Units held"),
    ("Unités détenues", "Units held"),
    ("Vers", "To"),
    ("Vues", "Acknowledged"),
    ("actif", "active"),
    ("attendu :", "expected:"),
    ("au", "to"),
    ("décidée", "decided"),
    ("décision attendue", "awaiting decision"),
    ("désactivé", "disabled"),
    ("en attente", "pending"),
    ("en retard", "late"),
    ("enregistré", "recorded"),
    ("j", "d"),
    ("jours — prochain :", "days — next:"),
    ("jours).", "days)."),
    ("n'a été reçu.", "was ever received."),
    ("périmé", "expired"),
    ("recharge(s) prévue(s) sur 90 jours · couverture", "refill(s) due within 90 days · cover"),
    ("réception sans commande", "receive without an order"),
    ("révoqué", "revoked"),
    ("si commandé aujourd'hui).", "if ordered today)."),
    ("unité(s) au plus tard le", "unit(s) by"),
    ("· bloqué (chaîne du froid, quarantaine)", "· held (cold chain, quarantine)"),
    ("· en commande", "· on order"),
    ("· en stock", "· on hand"),
    ("· périmé", "· expired"),
    ("· rupture prévue :", "· projected stockout:"),
    ("Émettre un jeton", "Issue a token"),
    ("Émis le", "Issued on"),
    ("État", "State"),
    ("×", "×"),
    ("à venir", "upcoming"),
    ("— lot", "— lot"),
    ("— remplissage tous les", "— refilled every"),
    ("┆ rupture", "┆ stockout"),
    ("▮ recharges", "▮ refills"),
    ("▲ arrivées", "▲ arrivals"),
    ("● péremptions", "● expiries"),
    ("ligne", "line"),
    ("Numéro de série", "Serial number"),
    ("Note de décision", "Decision note"),
    ("Mon compte", "My account"),
    ("Changer de mot de passe", "Change password"),
    ("Mot de passe actuel", "Current password"),
    ("Nouveau mot de passe, une seconde fois", "New password, once more"),
    ("Mot de passe changé : vos autres sessions sont fermées.", "Password changed: your other sessions are closed."),
    ("Mot de passe actuel incorrect.", "The current password is wrong."),
    ("doit être identique au nouveau mot de passe", "must be the same as the new password"),
    // Written by the pages' code.
    ("> 90 j", "> 90 d"),
    ("{} j", "{} d"),
    ("—", "—"),
    ("OK", "OK"),
    ("Bas", "Low"),
    ("Rupture", "Out"),
    ("administrateur", "administrator"),
    ("pharmacien", "pharmacist"),
    ("lecture seule", "read only"),
    ("Stock bas", "Low stock"),
    ("Lot bientôt périmé", "Lot expiring"),
    ("Lot périmé", "Lot expired"),
    ("Commande en retard", "Order overdue"),
    ("ouverte", "open"),
    ("vue", "acknowledged"),
    ("résolue", "resolved"),
    ("disponible", "available"),
    ("en quarantaine", "quarantined"),
    ("rappelé", "recalled"),
    ("inactif", "inactive"),
    ("passé à un autre traitement", "moved to another treatment"),
    ("retour", "return"),
    ("délivrance", "dispensation"),
    ("endommagé", "damaged"),
    ("rupture de la chaîne du froid", "cold chain breach"),
    ("autre", "other"),
    ("Commande n° {}", "Order no. {}"),
    ("n° {}", "no. {}"),
    ("{} — attendue le {} — {}", "{} — expected on {} — {}"),
    ("Requête refusée", "Request refused"),
    ("Retour", "Back"),
    ("Retour à l'accueil", "Back to Today"),
    (
        "Jeton anti-falsification absent ou invalide : rechargez la page et recommencez.",
        "Anti-forgery token missing or invalid: reload the page and try again.",
    ),
    ("Votre rôle (lecture seule) ne permet pas de modifier.", "Your role (read only) cannot change anything."),
    ("Votre rôle ne permet pas cette action.", "Your role does not allow this."),
    ("Identifiant ou mot de passe incorrect.", "Wrong username or password."),
    (
        "Trop d'essais infructueux : compte bloqué jusqu'à {}.",
        "Too many failed attempts: account locked until {}.",
    ),
    (
        "Alerte n° {} marquée comme vue : plus de rappel par courriel.",
        "Alert no. {} acknowledged: no more email reminders.",
    ),
    (
        "{} ligne(s) lue(s) et vérifiée(s) : rien n'est encore enregistré. Contrôlez puis enregistrez la réception.",
        "{} line(s) read and checked: nothing is recorded yet. Check, then record the receipt.",
    ),
    ("tous emplacements", "all locations"),
    ("Seuil enregistré ; les alertes sont réévaluées.", "Threshold saved; alerts are re-evaluated."),
    ("Fournisseur enregistré.", "Supplier saved."),
    ("Compte enregistré.", "Account saved."),
    ("Jeton révoqué : il ne donne plus accès à l'API.", "Token revoked: it no longer opens the API."),
    (
        "Jeton émis : copiez-le maintenant, il ne sera plus affiché.",
        "Token issued: copy it now, it will not be shown again.",
    ),
    ("en cours", "ongoing"),
    ("{} à {}", "{} to {}"),
    ("jusqu'à {}", "up to {}"),
    ("{} par {}, {}", "{} by {}, {}"),
    ("libéré", "released"),
    ("détruit", "destroyed"),
    (
        "Excursion n° {} déclarée : les unités réfrigérées de cet emplacement sont bloquées jusqu'à votre décision.",
        "Excursion no. {} reported: this location's refrigerated units are held until you decide.",
    ),
    ("{} : {} recharge(s)", "{}: {} refill(s)"),
    ("{} : arrivée de {}", "{}: {} arriving"),
    ("{} : {} unité(s) périment", "{}: {} unit(s) expire"),
    ("rupture prévue le {}", "stockout projected on {}"),
    ("Période couverte (délai + revue + sécurité)", "Period covered (lead time + review + safety)"),
    ("{} j = {} + {} + {}", "{} d = {} + {} + {}"),
    ("Demande sur la période (recharges et autres usages)", "Demand over the period (refills and other use)"),
    ("Marge pour les usages imprévus", "Margin for unscheduled use"),
    ("Stock utilisable sur la période", "Usable stock over the period"),
    ("Déjà en commande", "Already on order"),
    ("Demande non servie avant la prochaine arrivée", "Demand unserved before the next arrival"),
    ("Besoin avant arrondi", "Need before rounding"),
    ("Conditionnement", "Packs"),
    ("{} boîte(s) de {}", "{} pack(s) of {}"),
    ("Limité à la demande d'une durée de vie", "Capped at one shelf life's demand"),
    ("aucune sur 90 jours", "none within 90 days"),
    ("Commande n° {} passée au fournisseur.", "Order no. {} placed with the supplier."),
    ("Stock insuffisant à cet emplacement.", "Not enough stock at this location."),
    ("Ce lot est périmé.", "This lot has expired."),
    ("Ce lot est en quarantaine.", "This lot is quarantined."),
    ("Ce lot est rappelé.", "This lot is recalled."),
    ("Ce lot est connu avec une autre date de péremption.", "This lot is known with another expiry date."),
    ("Ce numéro de série a déjà été reçu.", "This serial number was already received."),
    ("Cette boîte n'est pas là où ce mouvement la prend.", "This pack is not where this movement takes it from."),
    ("Ces unités sont des boîtes sérialisées : scannez chaque boîte qui sort.", "These units are serialised packs: scan each pack that leaves."),
    ("Ce retour dépasse ce que les patients ont reçu de ce lot.", "This return exceeds what patients received of this lot."),
    ("Ce mouvement a déjà été annulé.", "This movement was already reversed."),
    ("Ce mouvement ne peut pas être annulé.", "This movement cannot be reversed."),
    ("Ce lot a déjà fait l'objet d'une décision.", "This lot was already decided."),
    ("Ce patient n'est pas actif.", "This patient is not active."),
    ("Cette commande est close.", "This order is closed."),
    ("Cela existe déjà.", "This already exists."),
    ("Le dernier administrateur actif reste administrateur.", "The last active admin stays an admin."),
    ("Introuvable.", "Not found."),
    ("Vérifiez les champs signalés.", "Check the fields marked."),
    ("La demande a été refusée.", "The request was refused."),
    ("Introuvable", "Not found"),
    ("tous les emplacements", "all locations"),
    ("Où", "Where"),
    ("Ce formulaire est déjà en cours d'enregistrement : rechargez la page pour voir s'il l'a été.", "This form is already being recorded: reload the page to see whether it was."),
    ("Ce que cette page montre n'existe pas (ou plus).", "What this page shows does not exist (or no longer does)."),
    ("Service indisponible", "Service unavailable"),
    ("La base de données ne répond pas : réessayez dans un instant.", "The database does not answer: try again in a moment."),
    ("Erreur interne", "Internal error"),
    ("Une erreur interne est survenue ; elle est consignée dans le journal du service.", "An internal error occurred; it is recorded in the service's log."),
    ("Le service a refusé cette action : rien n'a été modifié.", "The service refused this action: nothing was changed."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_french_text_has_one_english_entry() {
        let mut seen = std::collections::HashSet::new();
        for (fr, en) in ENGLISH {
            assert!(seen.insert(fr), "{fr} is listed twice");
            assert!(
                ![fr, en].iter().any(|text| text.contains(['<', '&', '"'])),
                "{fr}: no markup in a text"
            );
            assert_eq!(fr.matches("{}").count(), en.matches("{}").count(), "{fr}");
        }
        // Every text the templates and the pages' code look up is translated.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/web");
        let mut sources = Vec::new();
        for entry in std::fs::read_dir(dir)
            .unwrap()
            .chain(std::fs::read_dir(format!("{dir}/templates")).unwrap())
        {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs" || e == "html") {
                sources.push(std::fs::read_to_string(path).unwrap());
            }
        }
        let mut missing = Vec::new();
        for source in &sources {
            for (open, close) in [("{{ \"", "\"|t }}"), ("t(\"", "\")"), ("fill(\"", "\",")] {
                let mut from = 0;
                while let Some(at) = source[from..].find(open).map(|i| i + from) {
                    from = at + open.len();
                    // `t(` and `fill(` themselves, not `.text(` or `format(`.
                    let before = source[..at].chars().next_back().unwrap_or(' ');
                    if open != "{{ \"" && (before.is_alphanumeric() || before == '_' || before == '.') {
                        continue;
                    }
                    let Some(end) = source[from..].find(close) else {
                        continue;
                    };
                    let key = source[from..from + end].replace("\\\"", "\"");
                    if !english().contains_key(key.as_str()) {
                        missing.push(key);
                    }
                }
            }
        }
        assert!(missing.is_empty(), "no English for: {missing:?}");
    }

    #[test]
    fn the_language_link_sends_back_to_this_sites_own_pages_only() {
        let host = "mipstock.hospital.example";
        assert_eq!(
            own_path("https://mipstock.hospital.example/stock?location=2", host).as_deref(),
            Some("/stock?location=2")
        );
        assert_eq!(own_path("https://evil.example/stock", host), None, "another site");
        assert_eq!(own_path("https://mipstock.hospital.example//evil.example", host), None);
        assert_eq!(own_path("https://mipstock.hospital.example/\\evil.example", host), None);
        assert_eq!(own_path("https://mipstock.hospital.example/lang/en", host), None);
        assert_eq!(own_path("javascript:alert(1)", host), None);
        assert_eq!(
            own_path("https://mipstock.hospital.example/a\r\nSet-Cookie:x", host),
            None
        );
    }

    #[tokio::test]
    async fn a_page_is_written_in_its_language() {
        let day = NaiveDate::from_ymd_opt(2027, 3, 12).unwrap();
        scope(Lang::En, chrono_tz::Europe::Paris, async {
            assert_eq!(t("Aujourd'hui"), "Today");
            assert_eq!(fill("Commande n° {}", &[&7]), "Order no. 7");
            assert_eq!(
                (date_text(day), number_text(1234567), decimal(11.5)),
                ("2027-03-12".into(), "1,234,567".into(), "11.5".into())
            );
        })
        .await;
        scope(Lang::Fr, chrono_tz::Europe::Paris, async {
            assert_eq!(t("Aujourd'hui"), "Aujourd'hui");
            assert_eq!(fill("Commande n° {}", &[&7]), "Commande n° 7");
            assert_eq!(
                (date_text(day), number_text(-1234), decimal(11.5)),
                ("12/03/2027".into(), "-1\u{202f}234".into(), "11,5".into())
            );
        })
        .await;
        // Outside a page: French.
        assert_eq!(t("Aujourd'hui"), "Aujourd'hui");
    }
}
