//! The review queue: the ranked candidate pairs with where the editor and
//! the team stand on each, filtered and paged for a list view, and the
//! next pair to look at after a decision. Pure over what it is given (the
//! pairs, the team's decisions, who is reviewing), so the window and the
//! CLI see the same queue and tests need no store.

use crate::export::sheet::file_name;
use crate::jobs::listing::{self, PairEnd, PairView};
use crate::jobs::team::{PairDecisions, TeamState};
use crate::jobs::{LibraryData, LibraryDataError, TeamDecisions};
use crate::matching::layout::{self, Layout};
use crate::media::{Rate, TimecodeTrack};
use crate::store::{CutPoints, Decision};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A pair as the review list shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReviewRow {
    pub pair: PairView,
    /// The reviewing editor's current decision (approve or reject; none
    /// when undecided or cleared).
    pub mine: Option<Decision>,
    /// Where the team stands: none while nobody approves or rejects it.
    pub team: Option<TeamState>,
    pub approved_by: Vec<String>,
    pub rejected_by: Vec<String>,
    /// Where the team's latest approval put the cut, when it moved it.
    pub cut: Option<CutPoints>,
}

impl ReviewRow {
    fn new(pair: PairView) -> Self {
        Self {
            pair,
            mine: None,
            team: None,
            approved_by: Vec::new(),
            rejected_by: Vec::new(),
            cut: None,
        }
    }

    /// Nobody approves or rejects it.
    pub fn undecided(&self) -> bool {
        self.team.is_none()
    }

    fn decided_by_others(&self, editor: &str) -> bool {
        self.approved_by
            .iter()
            .chain(&self.rejected_by)
            .any(|e| e != editor)
    }

    fn set(&mut self, decisions: &PairDecisions, editor: &str) {
        self.approved_by = decisions.approved_by.clone();
        self.rejected_by = decisions.rejected_by.clone();
        self.cut = decisions.cut;
        self.team = match decisions.state {
            TeamState::Cleared => None,
            state => Some(state),
        };
        self.mine = if self.approved_by.iter().any(|e| e == editor) {
            Some(Decision::Approve)
        } else if self.rejected_by.iter().any(|e| e == editor) {
            Some(Decision::Reject)
        } else {
            None
        };
    }
}

/// Which team state a filter keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum StateFilter {
    Approved,
    Rejected,
    Conflict,
}

/// Whose decisions a filter keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum DecidedBy {
    /// Pairs the reviewing editor approved or rejected.
    Me,
    /// Pairs another editor approved or rejected.
    Others,
}

/// What the list shows; the default shows everything.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Filter {
    /// Only pairs nobody approves or rejects.
    #[serde(default)]
    pub undecided: bool,
    /// Only pairs joining two different titles.
    #[serde(default)]
    pub cross_title: bool,
    /// Only pairs with this title (content hash) on either side.
    #[serde(default)]
    pub title: Option<String>,
    /// Only pairs scoring at least this.
    #[serde(default)]
    pub min_score: Option<f32>,
    #[serde(default)]
    pub state: Option<StateFilter>,
    #[serde(default)]
    pub decided_by: Option<DecidedBy>,
    /// Only pairs of this kind (framing or motion).
    #[serde(default)]
    pub kind: Option<crate::matching::PairKind>,
}

impl Filter {
    fn keeps(&self, row: &ReviewRow, editor: &str) -> bool {
        let pair = &row.pair;
        let state = match self.state {
            None => true,
            Some(StateFilter::Approved) => row.team == Some(TeamState::Approved),
            Some(StateFilter::Rejected) => row.team == Some(TeamState::Rejected),
            Some(StateFilter::Conflict) => row.team == Some(TeamState::Conflict),
        };
        let by = match self.decided_by {
            None => true,
            Some(DecidedBy::Me) => row.mine.is_some(),
            Some(DecidedBy::Others) => row.decided_by_others(editor),
        };
        (!self.undecided || row.undecided())
            && (!self.cross_title || pair.from.content_hash != pair.to.content_hash)
            && self
                .title
                .as_ref()
                .is_none_or(|t| pair.from.content_hash == *t || pair.to.content_hash == *t)
            && self.min_score.is_none_or(|s| pair.score >= s)
            && self.kind.is_none_or(|k| pair.kind == k.name())
            && state
            && by
    }
}

/// One page of the filtered list.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Page {
    /// Pairs the filter keeps, in all.
    pub total: usize,
    /// Where the page starts among them.
    pub offset: usize,
    pub rows: Vec<ReviewRow>,
}

/// A title the one-title filter can keep.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TitleChoice {
    pub content_hash: String,
    /// The file's name.
    pub name: String,
    /// Pairs it takes part in.
    pub pairs: usize,
}

/// What a decision made in the review changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Decided {
    /// The decided pair as the list now shows it.
    pub row: Option<ReviewRow>,
    /// The pair to show next: the next undecided one the filter keeps.
    pub next: Option<String>,
}

/// Why the queue cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Library(#[from] LibraryDataError),
    #[error(transparent)]
    Decisions(#[from] crate::jobs::decisions::DecisionError),
    #[error(transparent)]
    Trim(#[from] crate::jobs::trim::TrimError),
    #[error("pair {0} is not in the review")]
    UnknownPair(String),
}

/// The ranked pairs with the team's decisions, for one editor.
#[derive(Clone, Debug)]
pub struct ReviewQueue {
    editor: String,
    rows: Vec<ReviewRow>,
    by_id: HashMap<String, usize>,
}

impl ReviewQueue {
    /// `pairs` in rank order; `decisions` on any pairs (those of pairs not
    /// listed are kept out).
    pub fn new(editor: &str, pairs: Vec<PairView>, decisions: &[PairDecisions]) -> Self {
        let rows: Vec<ReviewRow> = pairs.into_iter().map(ReviewRow::new).collect();
        let by_id = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.pair.id.clone(), i))
            .collect();
        let mut queue = Self {
            editor: editor.to_string(),
            rows,
            by_id,
        };
        for d in decisions {
            queue.apply(d);
        }
        queue
    }

    /// The library's best `top` pairs and the decisions it knows.
    pub fn load(data: &LibraryData, team: &TeamDecisions, top: usize) -> Result<Self, ReviewError> {
        let pairs = listing::pairs(data, top)?;
        Ok(Self::new(team.editor(), pairs, &team.pairs()?))
    }

    pub fn editor(&self) -> &str {
        &self.editor
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Takes the team's current decisions on one pair (a decision made
    /// here, or one that arrived from the team). Returns whether the pair
    /// is in the queue.
    pub fn apply(&mut self, decisions: &PairDecisions) -> bool {
        match self.by_id.get(&decisions.pair_id) {
            Some(&i) => {
                self.rows[i].set(decisions, &self.editor);
                true
            }
            None => false,
        }
    }

    /// Records the editor's `decision` on pair `id` (durable when this
    /// returns), with the cut where the editor put it (`None`: where
    /// proposed), takes the team's state on it into the queue, offers it
    /// to the team, and says which pair to show next.
    pub fn decide(
        &mut self,
        team: &mut TeamDecisions,
        id: &str,
        decision: Decision,
        cut: Option<CutPoints>,
        filter: &Filter,
    ) -> Result<Decided, ReviewError> {
        let cut = match cut {
            Some(cut) => {
                let row = self
                    .row(id)
                    .ok_or_else(|| ReviewError::UnknownPair(id.into()))?;
                let span = row.pair.cut_span();
                span.trim(id, Some(cut.out_frame), Some(cut.in_frame))?
            }
            None => None,
        };
        team.decide(id, decision, None, cut)?;
        self.refresh(team, &[id])?;
        team.sync();
        Ok(Decided {
            row: self.row(id).cloned(),
            next: self.next_undecided(filter, id),
        })
    }

    /// Takes the team's current decisions on pairs `ids` from `team` (one
    /// summary of its events for all of them). Returns the ids of the
    /// listed pairs whose row changed (a decision this queue made itself
    /// changes nothing when it comes round again).
    pub fn refresh(
        &mut self,
        team: &TeamDecisions,
        ids: &[&str],
    ) -> Result<Vec<String>, ReviewError> {
        let current: HashMap<String, PairDecisions> = team
            .pairs()?
            .into_iter()
            .filter(|p| ids.contains(&p.pair_id.as_str()))
            .map(|p| (p.pair_id.clone(), p))
            .collect();
        let mut changed = Vec::new();
        for &id in ids {
            let cleared = || PairDecisions {
                pair_id: id.to_string(),
                state: TeamState::Cleared,
                approved_by: Vec::new(),
                rejected_by: Vec::new(),
                editors: Vec::new(),
                cut: None,
            };
            let decisions = current.get(id).cloned().unwrap_or_else(cleared);
            let before = self.row(id).cloned();
            if self.apply(&decisions) && self.row(id) != before.as_ref() {
                changed.push(id.to_string());
            }
        }
        Ok(changed)
    }

    pub fn row(&self, id: &str) -> Option<&ReviewRow> {
        self.by_id.get(id).map(|&i| &self.rows[i])
    }

    fn kept<'a>(&'a self, filter: &'a Filter) -> impl Iterator<Item = &'a ReviewRow> + 'a {
        self.rows
            .iter()
            .filter(move |r| filter.keeps(r, &self.editor))
    }

    /// `limit` rows of the filtered list from `offset`.
    pub fn page(&self, filter: &Filter, offset: usize, limit: usize) -> Page {
        let mut total = 0;
        let mut rows = Vec::new();
        for row in self.kept(filter) {
            if total >= offset && rows.len() < limit {
                rows.push(row.clone());
            }
            total += 1;
        }
        Page {
            total,
            offset,
            rows,
        }
    }

    /// The titles the queue's pairs join, by name, with how many pairs
    /// each takes part in: the choices of the one-title filter.
    pub fn titles(&self) -> Vec<TitleChoice> {
        let mut by_hash: HashMap<&str, TitleChoice> = HashMap::new();
        for row in &self.rows {
            let (from, to) = (&row.pair.from, &row.pair.to);
            let ends = if from.content_hash == to.content_hash {
                vec![from]
            } else {
                vec![from, to]
            };
            for end in ends {
                by_hash
                    .entry(&end.content_hash)
                    .or_insert_with(|| TitleChoice {
                        content_hash: end.content_hash.clone(),
                        name: file_name(&end.path),
                        pairs: 0,
                    })
                    .pairs += 1;
            }
        }
        let mut titles: Vec<TitleChoice> = by_hash.into_values().collect();
        titles.sort_by(|a, b| {
            a.name
                .cmp(&b.name)
                .then(a.content_hash.cmp(&b.content_hash))
        });
        titles
    }

    /// Where pair `id` stands in the filtered list.
    pub fn position(&self, filter: &Filter, id: &str) -> Option<usize> {
        self.kept(filter).position(|r| r.pair.id == id)
    }

    /// The pair to show after deciding `after`: the next undecided pair the
    /// filter keeps below it in rank order, else the first undecided one
    /// above it, else none.
    pub fn next_undecided(&self, filter: &Filter, after: &str) -> Option<String> {
        let at = self.by_id.get(after).copied();
        let undecided = |r: &&ReviewRow| r.undecided() && filter.keeps(r, &self.editor);
        let below = at.map_or(0, |i| i + 1);
        self.rows[below.min(self.rows.len())..]
            .iter()
            .find(undecided)
            .or_else(|| self.rows[..at.unwrap_or(0)].iter().find(undecided))
            .map(|r| r.pair.id.clone())
    }
}

/// The layouts both frames of a pair were compared by, for the window's
/// overlay (`None` for a frame the library holds no signature of).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PairLayout {
    pub from: Option<Layout>,
    pub to: Option<Layout>,
}

/// The timecodes of a cut's out-frame and in-frame (each from its title's
/// rate and start timecode; empty for a title the library no longer has).
pub fn cut_timecodes(
    data: &LibraryData,
    pair: &PairView,
    cut: CutPoints,
) -> Result<[String; 2], ReviewError> {
    let at = |end: &PairEnd, frame: u64| -> Result<String, ReviewError> {
        let title = (data.store().title(&end.content_hash)).map_err(LibraryDataError::from)?;
        Ok(title.map_or(String::new(), |t| {
            let rate = Rate::parse(&t.frame_rate).unwrap_or(Rate::FALLBACK);
            TimecodeTrack::new(rate, t.start_timecode.as_deref()).at(frame)
        }))
    };
    Ok([at(&pair.from, cut.out_frame)?, at(&pair.to, cut.in_frame)?])
}

/// The layouts of the keyframes at both ends of a pair.
pub fn pair_layout(
    data: &LibraryData,
    from: &PairEnd,
    to: &PairEnd,
) -> Result<PairLayout, ReviewError> {
    let of = |end: &PairEnd| -> Result<Option<Layout>, ReviewError> {
        let signature = (data.store())
            .keyframe_composition(&end.content_hash, end.frame)
            .map_err(LibraryDataError::from)?;
        Ok(signature.as_deref().and_then(layout::layout))
    };
    Ok(PairLayout {
        from: of(from)?,
        to: of(to)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::team::EditorDecision;
    use crate::matching::{Components, PairKind};

    fn end(title: &str, shot: usize) -> PairEnd {
        PairEnd {
            path: format!("/films/{title}.mp4"),
            content_hash: title.to_string(),
            shot,
            frame: 10 * shot as u64,
            timecode: "00:00:01:00".into(),
            shot_in: "00:00:00:00".into(),
            shot_out: "00:00:01:00".into(),
            shot_first: 0,
            shot_last: 24,
            frame_rate: "24/1".into(),
            missing: false,
        }
    }

    /// Pairs p0…p5, best first: p1 and p4 within title a, the rest across.
    fn pairs() -> Vec<PairView> {
        (0..6)
            .map(|i| PairView {
                id: format!("p{i}"),
                rank: i + 1,
                score: 1.0 - 0.1 * i as f32,
                kind: if i == 4 { "motion" } else { "frame" }.into(),
                from: end("a", i),
                to: end(if i % 3 == 1 { "a" } else { "b" }, i + 10),
                components: Components::default(),
            })
            .collect()
    }

    fn decided(pair: &str, approved: &[&str], rejected: &[&str]) -> PairDecisions {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let state = match (approved.is_empty(), rejected.is_empty()) {
            (false, false) => TeamState::Conflict,
            (false, true) => TeamState::Approved,
            (true, false) => TeamState::Rejected,
            (true, true) => TeamState::Cleared,
        };
        PairDecisions {
            pair_id: pair.into(),
            state,
            approved_by: names(approved),
            rejected_by: names(rejected),
            editors: approved
                .iter()
                .map(|e| EditorDecision {
                    editor: e.to_string(),
                    decision: Decision::Approve,
                    decided_at_ms: 0,
                    note: None,
                    cut: None,
                })
                .collect(),
            cut: None,
        }
    }

    fn queue() -> ReviewQueue {
        let decisions = [
            decided("p0", &["ana"], &[]),
            decided("p2", &["bo"], &["ana"]),
            decided("p3", &[], &["bo"]),
            decided("p5", &[], &[]),
            decided("elsewhere", &["bo"], &[]),
        ];
        ReviewQueue::new("ana", pairs(), &decisions)
    }

    fn ids(page: &Page) -> Vec<&str> {
        page.rows.iter().map(|r| r.pair.id.as_str()).collect()
    }

    #[test]
    fn rows_say_where_the_editor_and_the_team_stand() {
        let q = queue();
        let row = |id| q.row(id).expect("row");
        assert_eq!(row("p0").mine, Some(Decision::Approve));
        assert_eq!(row("p0").team, Some(TeamState::Approved));
        assert_eq!(row("p2").mine, Some(Decision::Reject));
        assert_eq!(row("p2").team, Some(TeamState::Conflict));
        assert_eq!(
            (row("p3").mine, row("p3").team),
            (None, Some(TeamState::Rejected))
        );
        // Every decision on p5 was withdrawn: undecided again.
        assert!(row("p5").undecided() && row("p1").undecided());
        assert!(q.row("elsewhere").is_none());
    }

    #[test]
    fn filters_keep_what_they_say() {
        let q = queue();
        let page = |f: Filter| ids(&q.page(&f, 0, 100)).join(" ");
        assert_eq!(page(Filter::default()), "p0 p1 p2 p3 p4 p5");
        let undecided = Filter {
            undecided: true,
            ..Filter::default()
        };
        assert_eq!(page(undecided), "p1 p4 p5");
        let across = Filter {
            cross_title: true,
            ..Filter::default()
        };
        assert_eq!(page(across), "p0 p2 p3 p5");
        let title_b = Filter {
            title: Some("b".into()),
            ..Filter::default()
        };
        assert_eq!(page(title_b), "p0 p2 p3 p5");
        let good = Filter {
            min_score: Some(0.75),
            ..Filter::default()
        };
        assert_eq!(page(good), "p0 p1 p2");
        let state = |s| Filter {
            state: Some(s),
            ..Filter::default()
        };
        assert_eq!(page(state(StateFilter::Approved)), "p0");
        assert_eq!(page(state(StateFilter::Rejected)), "p3");
        assert_eq!(page(state(StateFilter::Conflict)), "p2");
        let by = |b| Filter {
            decided_by: Some(b),
            ..Filter::default()
        };
        assert_eq!(page(by(DecidedBy::Me)), "p0 p2");
        assert_eq!(page(by(DecidedBy::Others)), "p2 p3");
        let kind = |k| Filter {
            kind: Some(k),
            ..Filter::default()
        };
        assert_eq!(page(kind(PairKind::Motion)), "p4");
        assert_eq!(page(kind(PairKind::Frame)), "p0 p1 p2 p3 p5");
    }

    #[test]
    fn the_title_choices_count_each_titles_pairs_once() {
        let titles = queue().titles();
        let got: Vec<(&str, usize)> = titles.iter().map(|t| (t.name.as_str(), t.pairs)).collect();
        // Every pair has a on one side (p1 and p4 on both); b is in four.
        assert_eq!(got, [("a.mp4", 6), ("b.mp4", 4)]);
    }

    #[test]
    fn pages_count_everything_the_filter_keeps() {
        let q = queue();
        let page = q.page(&Filter::default(), 2, 3);
        assert_eq!((page.total, page.offset), (6, 2));
        assert_eq!(ids(&page), ["p2", "p3", "p4"]);
        assert!(q.page(&Filter::default(), 9, 3).rows.is_empty());
        assert_eq!(q.position(&Filter::default(), "p4"), Some(4));
        let across = Filter {
            cross_title: true,
            ..Filter::default()
        };
        assert_eq!(q.position(&across, "p3"), Some(2));
        assert_eq!(q.position(&across, "p4"), None);
    }

    #[test]
    fn after_a_decision_the_next_undecided_pair_follows() {
        let mut q = queue();
        let all = Filter::default();
        assert_eq!(q.next_undecided(&all, "p1").as_deref(), Some("p4"));
        assert_eq!(q.next_undecided(&all, "p5").as_deref(), Some("p1"));
        // Deciding p4 here: it is taken at once, and skipped.
        assert!(q.apply(&decided("p4", &["ana"], &[])));
        assert_eq!(q.row("p4").and_then(|r| r.mine), Some(Decision::Approve));
        assert_eq!(q.next_undecided(&all, "p1").as_deref(), Some("p5"));
        let across = Filter {
            cross_title: true,
            ..Filter::default()
        };
        assert_eq!(q.next_undecided(&across, "p0").as_deref(), Some("p5"));
        for id in ["p1", "p5"] {
            q.apply(&decided(id, &[], &["bo"]));
        }
        assert_eq!(q.next_undecided(&all, "p0"), None);
        assert!(!q.apply(&decided("nowhere", &["ana"], &[])));
    }
}
