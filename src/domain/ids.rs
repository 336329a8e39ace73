use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                i64::schema()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

id_type!(
    /// A catalog item.
    ItemId
);
id_type!(
    /// A storage location (central store, ward fridge…).
    LocationId
);
id_type!(
    /// An API token.
    TokenId
);
id_type!(
    /// A lot (batch) of one item, with its expiry.
    LotId
);
id_type!(
    /// A pseudonymous patient.
    PatientId
);
id_type!(
    /// A movement of the ledger.
    MovementId
);
id_type!(
    /// A reorder threshold.
    ThresholdId
);
id_type!(
    /// An alert.
    AlertId
);
id_type!(
    /// An email of the outbox.
    NotificationId
);
id_type!(
    /// A supplier (manufacturer or wholesaler).
    SupplierId
);
id_type!(
    /// A purchase order.
    OrderId
);
id_type!(
    /// A line of a purchase order.
    OrderLineId
);
id_type!(
    /// A cold-chain excursion of one location's fridge.
    ExcursionId
);
id_type!(
    /// A person who signs in to the web app.
    UserId
);
