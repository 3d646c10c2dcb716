//! Reading a map from a file refuses a key given twice: serde's own map keeps the last
//! one and silently drops the first, and a load must lose nothing (SPEC §6).
//!
//! Used as `#[serde(deserialize_with = "unique_map::deserialize")]` on every map of the
//! model. The error, `duplicate key KEY` (KEY as `Debug` shows it, which is how the file
//! spells it), is raised right after the second key is read, so the format layer can
//! find both lines.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{Deserializer, Error as _, MapAccess, Visitor};

/// The start of the error message for a key given twice.
pub const DUPLICATE_KEY: &str = "duplicate key ";

/// Deserializes a map, refusing a key given twice.
///
/// # Errors
/// The deserializer's errors, and `duplicate key KEY`.
pub fn deserialize<'de, D, K, V>(d: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Ord + fmt::Debug,
    V: Deserialize<'de>,
{
    struct Unique<K, V>(PhantomData<(K, V)>);

    impl<'de, K, V> Visitor<'de> for Unique<K, V>
    where
        K: Deserialize<'de> + Ord + fmt::Debug,
        V: Deserialize<'de>,
    {
        type Value = BTreeMap<K, V>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
            let mut map = BTreeMap::new();
            while let Some(key) = access.next_key::<K>()? {
                if map.contains_key(&key) {
                    return Err(A::Error::custom(format!("{DUPLICATE_KEY}{key:?}")));
                }
                let value = access.next_value()?;
                map.insert(key, value);
            }
            Ok(map)
        }
    }

    d.deserialize_map(Unique(PhantomData))
}
