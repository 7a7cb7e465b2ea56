//! Typed ids of the main entities, shared by the server and the browser. A function that takes
//! a `ProcessId` and a `SystemId` cannot be called with the two swapped, and a repository read
//! of systems cannot be handed a client's id. On the wire they are plain UUIDs.
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                $name(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl PartialEq<Uuid> for $name {
            fn eq(&self, other: &Uuid) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<$name> for Uuid {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        #[cfg(feature = "ssr")]
        impl From<$name> for sea_orm::Value {
            fn from(id: $name) -> Self {
                id.0.into()
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }
    )*};
}

ids!(
    /// An MSP (a tenant).
    MspId,
    /// One of an MSP's client companies.
    ClientId,
    /// A protected system of a client.
    SystemId,
    /// A business process of a client.
    ProcessId,
    /// A person of a client's staff directory.
    PersonId,
    /// A site of a client.
    SiteId,
    /// A group of a client's own customers.
    CustomerGroupId,
    /// An ingest token of a client.
    IngestTokenId,
    /// An account.
    UserId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_uuids_on_the_wire() {
        let raw = Uuid::new_v4();
        let id = SystemId::from(raw);
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{raw}\""));
        assert_eq!(
            serde_json::from_str::<SystemId>(&format!("\"{raw}\"")).unwrap(),
            id
        );
        assert_eq!(id.to_string().parse::<SystemId>().unwrap(), id);
        assert!("nope".parse::<ClientId>().is_err());
    }
}
