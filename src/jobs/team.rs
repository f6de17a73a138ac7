//! The team's state, derived from the decision events: each editor's
//! current decision on each pair (their latest event; `clear` withdraws),
//! and per pair who approved, who rejected, and whether they disagree.
//! Conflicts are reported, never resolved here.

use crate::store::{CutPoints, Decision, DecisionEvent};
use serde::Serialize;
use std::collections::BTreeMap;

/// One editor's current decision on a pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EditorDecision {
    pub editor: String,
    pub decision: Decision,
    pub decided_at_ms: i64,
    pub note: Option<String>,
    /// Where this editor put the cut, when they moved it.
    pub cut: Option<CutPoints>,
}

/// Where the team stands on a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum TeamState {
    Approved,
    Rejected,
    /// Some editors approve, others reject.
    Conflict,
    /// Every decision on it was withdrawn.
    Cleared,
}

/// The team's decisions on one pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PairDecisions {
    pub pair_id: String,
    pub state: TeamState,
    pub approved_by: Vec<String>,
    pub rejected_by: Vec<String>,
    /// Every editor who decided, latest decision each (cleared ones too).
    pub editors: Vec<EditorDecision>,
    /// The trimmed cut of the latest approval that moved it: what an
    /// export uses (none: the proposal's).
    pub cut: Option<CutPoints>,
}

/// The team's state per pair, by pair id, from events in any order. Of one
/// editor's events on a pair the latest counts: the highest hybrid logical
/// clock, then the event id, so every machine picks the same one and a
/// decision made after seeing another wins whatever the clocks say.
pub fn summarise(events: &[DecisionEvent]) -> Vec<PairDecisions> {
    let mut latest: BTreeMap<(&str, &str), &DecisionEvent> = BTreeMap::new();
    for event in events {
        let key = (event.pair_id.as_str(), event.editor.as_str());
        let newer = latest
            .get(&key)
            .is_none_or(|old| (event.clock, &event.id) > (old.clock, &old.id));
        if newer {
            latest.insert(key, event);
        }
    }
    let mut pairs: BTreeMap<&str, Vec<&DecisionEvent>> = BTreeMap::new();
    for ((pair, _), event) in latest {
        pairs.entry(pair).or_default().push(event);
    }
    pairs
        .into_iter()
        .map(|(pair, events)| pair_decisions(pair, &events))
        .collect()
}

fn pair_decisions(pair_id: &str, events: &[&DecisionEvent]) -> PairDecisions {
    let by = |decision| {
        events
            .iter()
            .filter(|e| e.decision == decision)
            .map(|e| e.editor.clone())
            .collect::<Vec<_>>()
    };
    let (approved_by, rejected_by) = (by(Decision::Approve), by(Decision::Reject));
    let state = match (approved_by.is_empty(), rejected_by.is_empty()) {
        (false, false) => TeamState::Conflict,
        (false, true) => TeamState::Approved,
        (true, false) => TeamState::Rejected,
        (true, true) => TeamState::Cleared,
    };
    let editors = events
        .iter()
        .map(|e| EditorDecision {
            editor: e.editor.clone(),
            decision: e.decision,
            decided_at_ms: e.decided_at_ms,
            note: e.note.clone(),
            cut: e.cut,
        })
        .collect();
    let cut = events
        .iter()
        .filter(|e| e.decision == Decision::Approve && e.cut.is_some())
        .max_by(|a, b| (a.clock, &a.id).cmp(&(b.clock, &b.id)))
        .and_then(|e| e.cut);
    PairDecisions {
        pair_id: pair_id.to_string(),
        state,
        approved_by,
        rejected_by,
        editors,
        cut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, pair: &str, editor: &str, at: i64, decision: Decision) -> DecisionEvent {
        DecisionEvent {
            id: id.into(),
            pair_id: pair.into(),
            editor: editor.into(),
            decided_at_ms: at,
            decision,
            note: None,
            clock: at,
            cut: None,
        }
    }

    #[test]
    fn latest_event_per_editor_counts_and_conflicts_are_reported() {
        use Decision::*;
        let events = vec![
            event("e4", "p1", "bob", 40, Reject),
            event("e1", "p1", "alice", 10, Reject),
            event("e2", "p1", "alice", 20, Approve),
            event("e3", "p2", "alice", 10, Approve),
            event("e5", "p2", "alice", 30, Clear),
            event("e6", "p3", "carol", 10, Approve),
            event("e7", "p3", "dan", 10, Approve),
        ];
        let summary = summarise(&events);
        let get = |id: &str| summary.iter().find(|p| p.pair_id == id).unwrap();
        assert_eq!(get("p1").state, TeamState::Conflict);
        assert_eq!(get("p1").approved_by, vec!["alice"]);
        assert_eq!(get("p1").rejected_by, vec!["bob"]);
        assert_eq!(get("p2").state, TeamState::Cleared);
        assert_eq!(get("p2").editors[0].decision, Clear);
        assert_eq!(get("p3").state, TeamState::Approved);
        assert_eq!(get("p3").approved_by.len(), 2);
        // Order of arrival does not matter.
        let mut reversed = events.clone();
        reversed.reverse();
        assert_eq!(summarise(&reversed), summary);
    }

    #[test]
    fn the_clock_orders_an_editors_events_not_the_wall_time() {
        use Decision::*;
        // Approved on a machine an hour fast, then rejected on one that
        // had seen the approval: the rejection's clock is above it.
        let mut fast = event("a", "p", "alice", 3_600_000, Approve);
        fast.clock = 3_600_000;
        let mut later = event("b", "p", "alice", 60_000, Reject);
        later.clock = 3_600_001;
        let summary = summarise(&[fast.clone(), later.clone()]);
        assert_eq!(summary[0].state, TeamState::Rejected);
        assert_eq!(summary, summarise(&[later, fast]));
    }

    #[test]
    fn equal_times_are_broken_by_event_id_everywhere() {
        use Decision::*;
        let a = event("a", "p", "alice", 5, Approve);
        let b = event("b", "p", "alice", 5, Reject);
        let one = summarise(&[a.clone(), b.clone()]);
        assert_eq!(one, summarise(&[b, a]));
        assert_eq!(one[0].state, TeamState::Rejected);
    }
}
