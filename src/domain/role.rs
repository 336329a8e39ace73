use serde::{Deserialize, Serialize};

use super::catalog::Named;

/// What a token may do. `admin` everything; `pharmacist` everything but tokens and the audit
/// log; `viewer` reads only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Pharmacist,
    Viewer,
}

impl Named for Role {
    const ALL: &'static [Self] = &[Role::Admin, Role::Pharmacist, Role::Viewer];
    fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Pharmacist => "pharmacist",
            Role::Viewer => "viewer",
        }
    }
}

impl Role {
    /// Whether this role may do everything `needed` may: admin ⊇ pharmacist ⊇ viewer.
    pub fn includes(self, needed: Role) -> bool {
        self.rank() >= needed.rank()
    }

    fn rank(self) -> u8 {
        match self {
            Role::Viewer => 0,
            Role::Pharmacist => 1,
            Role::Admin => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_nest() {
        assert!(Role::Admin.includes(Role::Pharmacist) && Role::Admin.includes(Role::Viewer));
        assert!(Role::Pharmacist.includes(Role::Viewer) && !Role::Pharmacist.includes(Role::Admin));
        assert!(Role::Viewer.includes(Role::Viewer) && !Role::Viewer.includes(Role::Pharmacist));
    }
}
