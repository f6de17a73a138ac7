//! The background sync of a library's decisions, for the app.
//!
//! One thread owns its own [`TeamDecisions`] (its own connections). It
//! syncs when poked (the editor just decided) and otherwise every
//! [`POLL`]: each sync reads the shared store's `PRAGMA data_version` and
//! pulls only when another editor committed. After a failed sync it waits
//! longer each time (backoff, up to [`MAX_BACKOFF`]). It reports through one
//! callback: every decision the library took in since the last look (the
//! team's, pulled, and those another process made in this library), and the
//! status whenever it changes.

use super::decisions::{DecisionError, SyncStatus, TeamDecisions, TeamSettings};
use crate::store::DecisionEvent;
use std::path::Path;
use std::sync::mpsc::{sync_channel, RecvTimeoutError, SyncSender, TrySendError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the shared store is looked at while all is well.
pub const POLL: Duration = Duration::from_millis(500);
/// The longest wait between retries while the shared store is away.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// What the background sync reports.
#[derive(Clone, Debug)]
pub enum TeamEvent {
    /// Decisions the library just took in: other editors' from the shared
    /// store, and any another process recorded in this library.
    Arrived(Vec<DecisionEvent>),
    /// The sync status changed.
    Status(SyncStatus),
}

enum Signal {
    Poke,
    Stop,
}

/// A running background sync; stopped when dropped.
pub struct SyncWorker {
    signal: SyncSender<Signal>,
    thread: Option<JoinHandle<()>>,
}

impl SyncWorker {
    /// Starts syncing the decisions of the library at `library`.
    pub fn start(
        library: &Path,
        settings: &TeamSettings,
        report: impl Fn(TeamEvent) + Send + 'static,
    ) -> Result<Self, DecisionError> {
        let team = TeamDecisions::open(library, settings)?;
        let (signal, signals) = sync_channel(1);
        let thread = std::thread::Builder::new()
            .name("decision-sync".into())
            .spawn(move || run(team, signals, report))
            .map_err(|e| {
                DecisionError::Store(crate::store::StoreError {
                    path: library.to_path_buf(),
                    what: "cannot start the decision sync",
                    reason: e.to_string(),
                })
            })?;
        Ok(Self {
            signal,
            thread: Some(thread),
        })
    }

    /// Asks for a sync now (a decision was just recorded).
    pub fn poke(&self) {
        // A full channel already holds a poke: nothing is lost.
        if let Err(TrySendError::Disconnected(_)) = self.signal.try_send(Signal::Poke) {
            tracing::warn!("the decision sync has stopped");
        }
    }
}

impl Drop for SyncWorker {
    fn drop(&mut self) {
        // A full channel holds a poke; the stop follows it in order.
        let _ = self.signal.send(Signal::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(
    mut team: TeamDecisions,
    signals: std::sync::mpsc::Receiver<Signal>,
    report: impl Fn(TeamEvent),
) {
    let mut last: Option<SyncStatus> = None;
    let mut wait = POLL;
    // Where the library's log stood when last read: what arrives after it
    // is reported, whoever wrote it (the sync's pull from the shared store,
    // or another process deciding in this library).
    let mut seen = team.position().unwrap_or(0);
    loop {
        let outcome = team.sync();
        match team.since(seen) {
            Ok((position, events)) => {
                seen = position;
                if !events.is_empty() {
                    report(TeamEvent::Arrived(events));
                }
            }
            Err(e) => tracing::debug!("sync: {e}"),
        }
        wait = match outcome.status {
            SyncStatus::Synced => POLL,
            _ => (wait * 2).clamp(POLL, MAX_BACKOFF),
        };
        if last.as_ref() != Some(&outcome.status) {
            last = Some(outcome.status.clone());
            report(TeamEvent::Status(outcome.status));
        }
        match signals.recv_timeout(wait) {
            Ok(Signal::Poke) => wait = POLL,
            Err(RecvTimeoutError::Timeout) => {}
            Ok(Signal::Stop) | Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}
