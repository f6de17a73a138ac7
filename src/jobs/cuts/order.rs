//! The order of the approved cuts on the sequence, kept with the library
//! (its settings table) so the export view and `matchcut export` agree and
//! a reopened library finds it again. Pairs approved since come after the
//! kept ones, by score.

use crate::jobs::decisions::{read_setting, write_setting};
use crate::store::StoreError;
use std::path::Path;

const KEY: &str = "cut_order";

/// The pair ids in the library's kept order (empty: none kept).
pub fn cut_order(library: &Path) -> Result<Vec<String>, StoreError> {
    Ok(read_setting(library, KEY)?.unwrap_or_default())
}

/// Keeps `ids` as the sequence's order (each once, first place wins).
pub fn set_cut_order(library: &Path, ids: &[String]) -> Result<(), StoreError> {
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<&String> = ids.iter().filter(|id| seen.insert(*id)).collect();
    write_setting(library, KEY, &ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_order_is_kept_with_the_library_each_pair_once() {
        let dir = std::env::temp_dir().join(format!("matchcut-order-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        assert!(cut_order(&dir).unwrap().is_empty());
        let ids: Vec<String> = ["b", "a", "b", "c"].map(String::from).to_vec();
        set_cut_order(&dir, &ids).unwrap();
        assert_eq!(cut_order(&dir).unwrap(), ["b", "a", "c"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
