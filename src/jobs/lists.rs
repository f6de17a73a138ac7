//! How a title's arrival or departure changes the library's neighbour
//! lists (`matching::neighbours`), worked out from the store and returned
//! as one [`ListChanges`] to commit in a single transaction.
//!
//! - **Addition**: the new title is compared, one block each, with itself
//!   and with every indexed title. Its own lists are built from all of
//!   them; the lists of shots already there take in what the new title
//!   offers when it beats their k-th member (the stored k-th similarity
//!   says which lists to read), and drop what it pushes out.
//! - **Removal**: the lists that held a shot of the departing title are
//!   rebuilt from every remaining title.
//!
//! Both give exactly the lists a library built from scratch in any order
//! would hold.

use crate::matching::candidates::{candidate, End};
use crate::matching::duplicates::{find_aside_duplicates, find_duplicates};
use crate::matching::neighbours::{cross, Duplicates, Near, Role, ShotInfo, TitleVectors, TopK};
use crate::matching::{MatchParams, ShotRef};
use crate::store::{DuplicateRecord, ListChanges, ListedPair, Store, StoreError};
use std::collections::{HashMap, HashSet};

/// Version of the lists' upkeep, in the analysis key (a change re-adds
/// every title from its stored features, without decoding). 2: a stored
/// list is read back by its members' scores (framing plus the figure
/// term), as lists are ranked; it was read by the framing alone, so that
/// offers beat members they should not have and a library's lists
/// depended on the order its titles came in.
pub const VERSION: u32 = 2;

/// Shots seen while working out changes, by reference: a list member's
/// frames and composition, needed to write its pair.
#[derive(Default)]
struct Known(HashMap<ShotRef, ShotInfo>);

impl Known {
    fn remember(&mut self, title: &TitleVectors, lists: &[TopK]) {
        let rows: HashMap<usize, usize> = rows_by_shot(title);
        for near in lists.iter().flat_map(TopK::items) {
            if near.other.content_hash == title.content_hash {
                if let Some(&row) = rows.get(&near.other.shot) {
                    self.0
                        .entry(near.other.clone())
                        .or_insert_with(|| title.shots[row].clone());
                }
            }
        }
    }

    /// Every shot of `title`.
    fn remember_all(&mut self, title: &TitleVectors) {
        for (row, shot) in title.shots.iter().enumerate() {
            self.0.insert(title.shot_ref(row), shot.clone());
        }
    }

    fn get(&self, shot: &ShotRef) -> Option<&ShotInfo> {
        self.0.get(shot)
    }
}

fn rows_by_shot(title: &TitleVectors) -> HashMap<usize, usize> {
    title
        .shots
        .iter()
        .enumerate()
        .map(|(row, s)| (s.shot, row))
        .collect()
}

/// The pair a list member makes with the list's shot.
fn listed(owner: End, role: Role, member: &Near, info: &ShotInfo) -> ListedPair {
    let other: End = (&member.other.content_hash, info);
    let (from, to) = match role {
        Role::Exit => (owner, other),
        Role::Entry => (other, owner),
    };
    ListedPair {
        candidate: candidate(from, to),
        in_exit_list: role == Role::Exit,
        in_entry_list: role == Role::Entry,
    }
}

fn swapped(dups: &Duplicates) -> Duplicates {
    dups.iter().map(|&(a, b)| (b, a)).collect()
}

/// Each title read from the store while working out changes, for other
/// work that needs every title (the motion pairs) to take what it needs
/// without reading the library again.
pub type Seen<'a> = &'a mut dyn FnMut(&TitleVectors);

/// The changes `new` (not yet stored) makes on joining the library.
pub fn addition(
    store: &Store,
    new: &TitleVectors,
    params: &MatchParams,
    seen: Seen,
) -> Result<ListChanges, StoreError> {
    let mut changes = ListChanges::default();
    let n = new.shots.len();
    let (mut exits, mut entries) = (vec![TopK::new(params.k); n], vec![TopK::new(params.k); n]);
    let mut known = Known::default();
    let within = cross(new, new, &Duplicates::new(), params);
    merge_rows(&mut exits, within.exit_lists);
    merge_rows(&mut entries, within.entry_lists);
    known.remember_all(new);
    for hash in store.indexed_titles()? {
        if hash == new.content_hash {
            continue;
        }
        let Some(old) = store.title_vectors(&hash)? else {
            continue;
        };
        seen(&old);
        let dups = duplicate_links(new, &old, params, &mut changes);
        let out = cross(new, &old, &dups, params);
        let back = cross(&old, new, &swapped(&dups), params);
        merge_rows(&mut exits, out.exit_lists);
        merge_rows(&mut entries, back.entry_lists);
        known.remember(&old, &exits);
        known.remember(&old, &entries);
        let offers = [
            (Role::Entry, out.entry_lists),
            (Role::Exit, back.exit_lists),
        ];
        for (role, lists) in offers {
            let joining = Joining {
                hash: &new.content_hash,
                known: &known,
                params,
            };
            take_offers(store, &old, role, lists, &joining, &mut changes)?;
        }
    }
    for (role, lists) in [(Role::Exit, &exits), (Role::Entry, &entries)] {
        for (row, list) in lists.iter().enumerate() {
            let owner: End = (&new.content_hash, &new.shots[row]);
            for member in list.items() {
                if let Some(info) = known.get(&member.other) {
                    changes.listed.push(listed(owner, role, member, info));
                }
            }
            changes.kth.push((new.shot_ref(row), role, list.kth()));
        }
    }
    Ok(changes)
}

fn merge_rows(into: &mut [TopK], lists: Vec<TopK>) {
    for (list, more) in into.iter_mut().zip(lists) {
        list.merge(more);
    }
}

/// Duplicate footage between the new title and `old`, recorded in
/// `changes`; returns the linked rows (new, old).
fn duplicate_links(
    new: &TitleVectors,
    old: &TitleVectors,
    params: &MatchParams,
    changes: &mut ListChanges,
) -> Duplicates {
    let links = find_duplicates(new, old, params);
    changes
        .duplicates
        .extend(links.iter().map(|l| DuplicateRecord {
            a: new.shot_ref(l.row),
            b: old.shot_ref(l.other_row),
            similarity: l.similarity,
        }));
    let shot = |t: &TitleVectors, shot: usize| ShotRef {
        content_hash: t.content_hash.clone(),
        shot,
    };
    let aside = find_aside_duplicates(new, old);
    changes
        .duplicates
        .extend(aside.iter().map(|l| DuplicateRecord {
            a: shot(new, l.shot),
            b: shot(old, l.other_shot),
            similarity: l.similarity,
        }));
    links.iter().map(|l| (l.row, l.other_row)).collect()
}

/// The title joining the library, as old lists meet it.
struct Joining<'a> {
    hash: &'a str,
    /// Its shots (and those of other lists' members).
    known: &'a Known,
    params: &'a MatchParams,
}

/// Updates the `role` lists of `old`'s shots with what the joining title
/// offers them (`offers[row]`, its best for that shot).
fn take_offers(
    store: &Store,
    old: &TitleVectors,
    role: Role,
    offers: Vec<TopK>,
    new: &Joining,
    changes: &mut ListChanges,
) -> Result<(), StoreError> {
    let params = new.params;
    for (row, offer) in offers.into_iter().enumerate() {
        let shot = &old.shots[row];
        let kth = match role {
            Role::Exit => shot.exit_kth,
            Role::Entry => shot.entry_kth,
        };
        match offer.best() {
            Some(best) if kth.is_none_or(|kth| best >= kth) => {}
            _ => continue,
        }
        let owner_ref = old.shot_ref(row);
        let stored = store.list(role, &owner_ref)?;
        let mut list = TopK::from_items(params.k, stored.iter().map(|(_, near)| near.clone()));
        list.merge(offer);
        let kept: HashSet<&ShotRef> = list.items().iter().map(|n| &n.other).collect();
        for (id, near) in &stored {
            if !kept.contains(&near.other) {
                changes.dropped.push((id.clone(), role));
            }
        }
        let owner: End = (&old.content_hash, shot);
        let joined = list
            .items()
            .iter()
            .filter(|m| m.other.content_hash == new.hash);
        for member in joined {
            if let Some(info) = new.known.get(&member.other) {
                changes.listed.push(listed(owner, role, member, info));
            }
        }
        changes.kth.push((owner_ref, role, list.kth()));
    }
    Ok(())
}

/// The lists of one title that held a shot of the departing title, being
/// rebuilt.
struct Rebuilt {
    title: TitleVectors,
    /// Shots whose exit (entry) list is rebuilt.
    exits: HashSet<usize>,
    entries: HashSet<usize>,
    exit_lists: Vec<TopK>,
    entry_lists: Vec<TopK>,
}

/// The changes the departure of `gone` makes to the other titles' lists.
pub fn removal(
    store: &Store,
    gone: &str,
    params: &MatchParams,
    seen: Seen,
) -> Result<ListChanges, StoreError> {
    let mut wanted: HashMap<String, (HashSet<usize>, HashSet<usize>)> = HashMap::new();
    for (role, shot) in store.lists_holding(gone)? {
        let (exits, entries) = wanted.entry(shot.content_hash).or_default();
        match role {
            Role::Exit => exits.insert(shot.shot),
            Role::Entry => entries.insert(shot.shot),
        };
    }
    let mut rebuilt = Vec::new();
    for (hash, (exits, entries)) in wanted {
        let Some(full) = store.title_vectors(&hash)? else {
            continue;
        };
        let title = full.subset(&exits.union(&entries).copied().collect());
        let n = title.shots.len();
        rebuilt.push(Rebuilt {
            title,
            exits,
            entries,
            exit_lists: vec![TopK::new(params.k); n],
            entry_lists: vec![TopK::new(params.k); n],
        });
    }
    let mut known = Known::default();
    for hash in store.indexed_titles()? {
        if hash == gone {
            continue;
        }
        let Some(other) = store.title_vectors(&hash)? else {
            continue;
        };
        seen(&other);
        for r in &mut rebuilt {
            let dups = stored_duplicates(store, &r.title, &other)?;
            let out = cross(&r.title, &other, &dups, params);
            let back = cross(&other, &r.title, &swapped(&dups), params);
            merge_rows(&mut r.exit_lists, out.exit_lists);
            merge_rows(&mut r.entry_lists, back.entry_lists);
            known.remember(&other, &r.exit_lists);
            known.remember(&other, &r.entry_lists);
        }
    }
    let mut changes = ListChanges::default();
    for r in &rebuilt {
        for (row, shot) in r.title.shots.iter().enumerate() {
            let owner: End = (&r.title.content_hash, shot);
            for (role, wanted, lists) in [
                (Role::Exit, &r.exits, &r.exit_lists),
                (Role::Entry, &r.entries, &r.entry_lists),
            ] {
                if !wanted.contains(&shot.shot) {
                    continue;
                }
                let list = &lists[row];
                for member in list.items() {
                    if let Some(info) = known.get(&member.other) {
                        changes.listed.push(listed(owner, role, member, info));
                    }
                }
                changes.kth.push((r.title.shot_ref(row), role, list.kth()));
            }
        }
    }
    Ok(changes)
}

/// The stored duplicate links between two titles, as rows of each.
fn stored_duplicates(
    store: &Store,
    a: &TitleVectors,
    b: &TitleVectors,
) -> Result<Duplicates, StoreError> {
    if a.content_hash == b.content_hash {
        return Ok(Duplicates::new());
    }
    let (rows_a, rows_b) = (rows_by_shot(a), rows_by_shot(b));
    Ok(store
        .duplicates_between(&a.content_hash, &b.content_hash)?
        .into_iter()
        .filter_map(|(x, y)| Some((*rows_a.get(&x)?, *rows_b.get(&y)?)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::library::{LibraryData, NewTitle, TitleMeta};
    use crate::matching::exact::Quantised;
    use std::collections::BTreeMap;

    const DIMS: usize = 16;

    /// A deterministic pseudo-random title: `n` shots, some of them near
    /// copies of `copies`'s (duplicate footage), two shots of one set-up.
    fn title(name: &str, n: usize, seed: u64, copies: Option<&TitleVectors>) -> TitleVectors {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        };
        let mut t = TitleVectors {
            content_hash: format!("{name:0>64}"),
            shots: Vec::new(),
            entries: Quantised::new(DIMS),
            exits: Quantised::new(DIMS),
            footage: Default::default(),
            aside: Default::default(),
        };
        for shot in 0..n {
            let mut entry: Vec<f32> = (0..DIMS).map(|_| next()).collect();
            let mut exit: Vec<f32> = (0..DIMS).map(|_| next()).collect();
            if let Some(source) = copies.filter(|_| shot % 4 == 1) {
                let row = shot % source.shots.len();
                entry = source
                    .entries
                    .row(row)
                    .iter()
                    .map(|&x| f32::from(x) + next())
                    .collect();
                exit = source
                    .exits
                    .row(row)
                    .iter()
                    .map(|&x| f32::from(x) + next())
                    .collect();
            }
            t.entries.push_f32(&entry);
            t.exits.push_f32(&exit);
            // Framing signatures: coarse values, so that ties happen too.
            let mut framing = || -> Vec<i8> {
                (0..crate::matching::composition::LEN)
                    .map(|_| (next() * 8.0).round() as i8)
                    .collect()
            };
            let (entry_composition, exit_composition) = (framing(), framing());
            // Figures raise scores above the framings' cosines, as real
            // keyframes' do: lists rank by the score.
            let (entry_figure, exit_figure) = (next() + 0.5, next() + 0.5);
            t.shots.push(ShotInfo {
                shot,
                first_frame: 10 * shot as u64,
                last_frame: 10 * shot as u64 + 9,
                entry_frame: 10 * shot as u64,
                exit_frame: 10 * shot as u64 + 9,
                group_shot: if shot == 5 { 0 } else { shot },
                entry_composition,
                exit_composition,
                entry_vector: t.entries.row(shot).to_vec(),
                exit_vector: t.exits.row(shot).to_vec(),
                entry_regions: Vec::new(),
                exit_regions: Vec::new(),
                entry_figure,
                exit_figure,
                exit_kth: None,
                entry_kth: None,
                motion: None,
            });
        }
        t
    }

    fn add(library: &mut LibraryData, t: &TitleVectors) {
        let frames = t
            .shots
            .iter()
            .map(|s| (s.first_frame, s.last_frame))
            .collect();
        let meta = TitleMeta {
            path: format!("/{}", &t.content_hash[60..]),
            frame_rate: "25/1".into(),
            start_timecode: None,
            frame_count: 1000,
        };
        let lock = library.lock(&|_| {}).unwrap();
        library
            .add(&lock, &meta, &NewTitle::new(t.clone(), frames), "test")
            .unwrap();
    }

    fn remove(library: &mut LibraryData, t: &TitleVectors) {
        let lock = library.lock(&|_| {}).unwrap();
        library.remove_title(&lock, &t.content_hash).unwrap();
    }

    /// Every stored pair: id → (framing similarity, in exit list, in entry list).
    fn stored(store: &Store) -> BTreeMap<String, (f32, bool, bool)> {
        let mut out = BTreeMap::new();
        for hash in store.indexed_titles().unwrap() {
            let t = store.title_vectors(&hash).unwrap().unwrap();
            for role in [Role::Exit, Role::Entry] {
                for row in 0..t.shots.len() {
                    for (id, near) in store.list(role, &t.shot_ref(row)).unwrap() {
                        let e = out.entry(id).or_insert((near.similarity, false, false));
                        match role {
                            Role::Exit => e.1 = true,
                            Role::Entry => e.2 = true,
                        }
                    }
                }
            }
        }
        out
    }

    /// The lists by their definition: every query against every title.
    fn reference(
        titles: &[&TitleVectors],
        params: &MatchParams,
    ) -> BTreeMap<String, (f32, bool, bool)> {
        let mut out: BTreeMap<String, (f32, bool, bool)> = BTreeMap::new();
        for a in titles {
            let mut exits = vec![TopK::new(params.k); a.shots.len()];
            let mut entries = vec![TopK::new(params.k); a.shots.len()];
            let mut info = HashMap::new();
            for b in titles {
                let dups: Duplicates = find_duplicates(a, b, params)
                    .iter()
                    .map(|l| (l.row, l.other_row))
                    .collect();
                merge_rows(&mut exits, cross(a, b, &dups, params).exit_lists);
                merge_rows(
                    &mut entries,
                    cross(b, a, &swapped(&dups), params).entry_lists,
                );
                for (row, s) in b.shots.iter().enumerate() {
                    info.insert(b.shot_ref(row), s.clone());
                }
            }
            for (role, lists) in [(Role::Exit, &exits), (Role::Entry, &entries)] {
                for (row, list) in lists.iter().enumerate() {
                    for m in list.items() {
                        let p = listed((&a.content_hash, &a.shots[row]), role, m, &info[&m.other]);
                        let e = out
                            .entry(p.candidate.id)
                            .or_insert((m.similarity, false, false));
                        e.1 |= p.in_exit_list;
                        e.2 |= p.in_entry_list;
                    }
                }
            }
        }
        out
    }

    fn library(name: &str, params: &MatchParams) -> LibraryData {
        let dir =
            std::env::temp_dir().join(format!("matchcut-lists-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let mut library = LibraryData::open(&dir).unwrap();
        library.set_params(params.clone());
        library
    }

    #[test]
    fn lists_are_the_same_in_every_order_and_after_removals() {
        let a = title("a", 23, 1, None);
        let b = title("b", 17, 2, Some(&a));
        let c = title("c", 29, 3, Some(&b));
        let params = MatchParams {
            k: 3,
            duplicate_floor: 0.5,
            duplicate_similarity: 0.8,
            ..MatchParams::default()
        };
        let all = [&a, &b, &c];
        let expected = reference(&all, &params);
        assert!(expected.len() > 100, "{}", expected.len());
        let orders = [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ];
        for (n, order) in orders.iter().enumerate() {
            let mut library = library(&format!("order{n}"), &params);
            for &i in order {
                add(&mut library, all[i]);
            }
            assert_eq!(stored(library.store()), expected, "order {order:?}");
            // Each title removed, then added back.
            for (i, gone) in all.iter().enumerate() {
                remove(&mut library, gone);
                let rest: Vec<&TitleVectors> = all
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, t)| *t)
                    .collect();
                assert_eq!(
                    stored(library.store()),
                    reference(&rest, &params),
                    "without {i}, order {order:?}"
                );
                add(&mut library, gone);
                assert_eq!(
                    stored(library.store()),
                    expected,
                    "{i} added back, order {order:?}"
                );
            }
        }
    }
}
