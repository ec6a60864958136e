//! The organization a caller acts in, as a type only the store can produce.

use uuid::Uuid;

/// An organization id vouched for by the store: it comes only from a confirmed membership
/// (see [`crate::principal`]) or from creating the organization. Every tenant-data function
/// takes one and puts it in its WHERE clause, so cross-tenant access cannot be written by
/// accident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tenant(Uuid);

impl Tenant {
    pub(crate) fn new(id: Uuid) -> Self {
        Tenant(id)
    }

    /// The organization's id.
    pub fn id(self) -> Uuid {
        self.0
    }
}
