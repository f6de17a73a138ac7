//! Reel names for CMX 3600: at most 8 characters, A–Z and 0–9, unique per
//! source file within one EDL.
//!
//! A reel is the file's name, cleaned and cut to 8 characters. When that is
//! taken (files sharing a long prefix), its tail is replaced by a base-36
//! counter, as short as still free: `LONGPREF`, `LONGPRE1` … `LONGPREZ`,
//! `LONGPR10` … Names that mean something else to EDL readers (`AX`, `BL`,
//! `BLACK`, `BARS`) are never used.

use std::collections::HashSet;

/// The longest reel name CMX 3600 allows.
pub const REEL_LEN: usize = 8;

const RESERVED: &[&str] = &["AX", "BL", "BLACK", "BARS"];
const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// Unique reel names for `names` (file names), in order.
pub fn assign(names: &[&str]) -> Vec<String> {
    let mut used: HashSet<String> = RESERVED.iter().map(|r| r.to_string()).collect();
    names
        .iter()
        .map(|name| {
            let reel = unique(&base(name), &used);
            used.insert(reel.clone());
            reel
        })
        .collect()
}

/// The file name without its extension, upper-cased, letters and digits only.
fn base(name: &str) -> String {
    let stem = std::path::Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let clean: String = stem
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .take(REEL_LEN)
        .collect();
    if clean.is_empty() {
        "REEL".to_string()
    } else {
        clean
    }
}

fn unique(base: &str, used: &HashSet<String>) -> String {
    if !used.contains(base) {
        return base.to_string();
    }
    (1u64..)
        .map(|n| {
            let counter = base36(n);
            let keep = base.len().min(REEL_LEN - counter.len());
            format!("{}{counter}", &base[..keep])
        })
        .find(|candidate| !used.contains(candidate))
        .unwrap_or_else(|| base.to_string())
}

fn base36(mut n: u64) -> String {
    let mut digits = Vec::new();
    while n > 0 {
        digits.push(DIGITS[(n % 36) as usize] as char);
        n /= 36;
    }
    digits.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cleaned_and_cut_to_eight() {
        let reels = assign(&["A001_C002 take-3.mov", "bl.mp4", "ünï.mxf", "x.y.mov"]);
        assert_eq!(reels, ["A001C002", "BL1", "N", "XY"]);
    }

    #[test]
    fn a_thousand_files_with_one_long_prefix_get_distinct_reels() {
        let names: Vec<String> = (0..1000)
            .map(|i| format!("Interview_Camera_A_Day_01_take_{i:04}.mov"))
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let reels = assign(&refs);
        let distinct: HashSet<&String> = reels.iter().collect();
        assert_eq!(distinct.len(), 1000);
        assert!(reels
            .iter()
            .all(|r| r.len() <= REEL_LEN && r.starts_with("INTERV")));
        assert!(reels
            .iter()
            .all(|r| r.chars().all(|c| c.is_ascii_alphanumeric())));
        assert_eq!(reels[0], "INTERVIE");
        assert_eq!(reels[1], "INTERVI1");
        // Counter E would give INTERVIE again: after Z comes a longer counter.
        assert_eq!(reels[34], "INTERVIZ");
        assert_eq!(reels[35], "INTERV10");
    }
}
