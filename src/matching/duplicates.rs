//! Duplicate footage across titles: the same shot re-used, re-encoded,
//! re-graded, resized or slightly cropped. Two shots of different titles
//! are the same footage when their entries and their exits are both at
//! least [`MatchParams::duplicate_floor`] alike and one of the two at least
//! [`MatchParams::duplicate_similarity`] (a re-grade or crop moves one end
//! more than the other). Every pair of shots of the two titles is compared,
//! so the links are a function of the two titles alone.

use super::neighbours::TitleVectors;
use super::MatchParams;

/// A shot of one title (`row` of its vectors) and the shot of another
/// title it duplicates.
#[derive(Clone, Debug, PartialEq)]
pub struct DuplicateLink {
    pub row: usize,
    pub other_row: usize,
    /// The lower of the entry and exit similarities.
    pub similarity: f32,
}

/// The duplicate links between the shots of `a` and those of `b` (none
/// when they are the same title).
pub fn find_duplicates(
    a: &TitleVectors,
    b: &TitleVectors,
    params: &MatchParams,
) -> Vec<DuplicateLink> {
    if a.content_hash == b.content_hash || a.shots.is_empty() || b.shots.is_empty() {
        return Vec::new();
    }
    let entries = a.entries.block(&b.entries);
    let mut out = Vec::new();
    for row in 0..entries.rows {
        for (other_row, &entry) in entries.row(row).iter().enumerate() {
            if entry < params.duplicate_floor {
                continue;
            }
            let exit = a.exits.similarity(row, &b.exits, other_row);
            if exit >= params.duplicate_floor && entry.max(exit) >= params.duplicate_similarity {
                out.push(DuplicateLink {
                    row,
                    other_row,
                    similarity: entry.min(exit),
                });
            }
        }
    }
    out
}
