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

/// Whether a request reads or changes something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// Which part of the API a request touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Tokens and the audit log.
    Administration,
    /// Everything else: catalog, stock, patients, alerts…
    Pharmacy,
}

impl Role {
    pub fn permits(self, access: Access, area: Area) -> bool {
        matches!(
            (self, area, access),
            (Role::Admin, _, _) | (Role::Pharmacist, Area::Pharmacy, _) | (Role::Viewer, Area::Pharmacy, Access::Read)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_follow_the_contract() {
        use Access::*;
        use Area::*;
        for area in [Administration, Pharmacy] {
            for access in [Read, Write] {
                assert!(Role::Admin.permits(access, area));
            }
        }
        assert!(Role::Pharmacist.permits(Write, Pharmacy));
        assert!(!Role::Pharmacist.permits(Read, Administration));
        assert!(Role::Viewer.permits(Read, Pharmacy));
        assert!(!Role::Viewer.permits(Write, Pharmacy));
        assert!(!Role::Viewer.permits(Read, Administration));
    }
}
