//! Stable identifiers. Ids are never vector indexes: deleting a node never renumbers
//! another, so links, selections and undo history stay valid.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id_type!(
    /// A node of the journey graph. Shown as `n7`.
    NodeId,
    "n"
);
id_type!(
    /// A path of a split node (stable across reordering, so links keep their target). Shown as `p2`.
    PathId,
    "p"
);
id_type!(
    /// A content variant of a channel node (stable across reordering and renaming, so the
    /// scenario's multipliers keep their variant). Shown as `v2`.
    VariantId,
    "v"
);
id_type!(
    /// A canvas comment. Shown as `c1`.
    CommentId,
    "c"
);
