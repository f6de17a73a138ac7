//! Editors' decisions on candidate pairs, and their sync with the team.
//!
//! [`TeamDecisions::decide`] commits the decision to the library's own
//! store and returns: the decision is then durable (acknowledged), whatever
//! happens to the shared store. [`TeamDecisions::sync`] pushes the outbox
//! to the shared store and pulls the team's events back; when the shared
//! store is locked, missing or read-only the decisions stay queued and the
//! status says why. `SyncWorker` (`jobs::sync`) runs `sync` in the
//! background with backoff and raises the team's new decisions as events.

use super::library::LibraryData;
use super::team::{summarise, PairDecisions};
use crate::store::{
    CutPoints, Decision, DecisionEvent, LocalDecisions, SharedError, SharedStore, StoreError,
};
use serde::Serialize;
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};

/// The shared store's file name, by default in the library folder, so a
/// team that opens one library shares its decisions.
pub const SHARED_FILE: &str = "decisions.sqlite";

/// Events moved per transaction when pushing and pulling.
const BATCH: usize = 500;

/// Who decides and where the team's decisions meet.
#[derive(Clone, Debug, Default)]
pub struct TeamSettings {
    /// The shared store (default: `decisions.sqlite` in the library folder).
    pub shared: Option<PathBuf>,
    /// The editor's name (default: the operating-system user).
    pub editor: Option<String>,
}

/// The library's own settings keys.
const EDITOR_KEY: &str = "editor";
const SHARED_KEY: &str = "shared";

/// The team settings stored with the library at `library` (what the app and
/// the CLI use when not told otherwise by a flag); unset ones are `None`.
/// A value kept as JSON in the library's settings under `key` (`None` when
/// unset, or unreadable: a hand edit, an older shape).
pub fn read_setting<T: serde::de::DeserializeOwned>(
    library: &Path,
    key: &str,
) -> Result<Option<T>, StoreError> {
    let local = LocalDecisions::open(&LibraryData::store_path(library))?;
    let stored = local.setting(key)?;
    Ok(stored.and_then(|text| serde_json::from_str(&text).ok()))
}

/// Keeps `value` as JSON in the library's settings under `key`.
pub fn write_setting<T: Serialize>(library: &Path, key: &str, value: &T) -> Result<(), StoreError> {
    let text = serde_json::to_string(value).map_err(|e| StoreError {
        path: LibraryData::store_path(library),
        what: "cannot write the library's settings",
        reason: e.to_string(),
    })?;
    let local = LocalDecisions::open(&LibraryData::store_path(library))?;
    local.set_setting(key, Some(&text))
}

pub fn library_settings(library: &Path) -> Result<TeamSettings, DecisionError> {
    stored_settings(&LocalDecisions::open(&LibraryData::store_path(library))?)
}

fn stored_settings(local: &LocalDecisions) -> Result<TeamSettings, DecisionError> {
    Ok(TeamSettings {
        shared: local.setting(SHARED_KEY)?.map(PathBuf::from),
        editor: local.setting(EDITOR_KEY)?,
    })
}

/// Stores `settings` with the library at `library`: a name or a path given
/// replaces the stored one, an empty one removes it (back to the default),
/// `None` keeps it. A relative shared path is taken from the current
/// folder, so it means the same file to every process.
pub fn save_library_settings(library: &Path, settings: &TeamSettings) -> Result<(), DecisionError> {
    let local = LocalDecisions::open(&LibraryData::store_path(library))?;
    if let Some(editor) = &settings.editor {
        let editor = editor.trim();
        local.set_setting(EDITOR_KEY, Some(editor).filter(|e| !e.is_empty()))?;
    }
    if let Some(shared) = &settings.shared {
        let path = std::path::absolute(shared).unwrap_or_else(|_| shared.clone());
        let text = path.to_string_lossy();
        let empty = shared.as_os_str().is_empty();
        local.set_setting(SHARED_KEY, Some(text.as_ref()).filter(|_| !empty))?;
    }
    Ok(())
}

/// Who decides in a library and where its team's decisions meet, as they
/// resolve now (its settings, else the defaults).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TeamSetup {
    pub editor: String,
    pub shared: String,
}

/// The team set-up of the library at `library`.
pub fn team_setup(library: &Path) -> Result<TeamSetup, DecisionError> {
    let team = TeamDecisions::open(library, &TeamSettings::default())?;
    Ok(TeamSetup {
        editor: team.editor().to_string(),
        shared: team.shared_path().display().to_string(),
    })
}

/// The operating-system user's name, the default editor identity.
pub fn default_editor() -> String {
    whoami::username()
        .ok()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// Why a decision cannot be recorded.
#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0:?} is not a pair id (letters, digits, '-' or '_', at most 128)")]
    InvalidPair(String),
    #[error("the editor's name is empty")]
    NoEditor,
}

/// Whether the library's decisions have reached the team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum SyncStatus {
    /// Every decision made here is in the shared store.
    Synced,
    /// Some are still queued (the shared store was busy); retried soon.
    Pending { pending: usize },
    /// The shared store cannot be reached; decisions queue here meanwhile.
    Unreachable { pending: usize, reason: String },
}

impl std::fmt::Display for SyncStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            SyncStatus::Synced => write!(f, "synced"),
            SyncStatus::Pending { pending } => write!(f, "pending {pending}"),
            SyncStatus::Unreachable { pending, reason } => {
                write!(f, "shared store unreachable: {reason} (pending {pending})")
            }
        }
    }
}

/// What one sync did.
#[derive(Clone, Debug)]
pub struct SyncOutcome {
    pub status: SyncStatus,
    /// Other editors' events that arrived with this sync.
    pub arrived: Vec<DecisionEvent>,
}

/// A library's decisions and its link to the team's shared store.
pub struct TeamDecisions {
    local: LocalDecisions,
    shared_path: PathBuf,
    shared: Option<SharedStore>,
    editor: String,
    /// The shared store's `data_version` when it was last pulled.
    pulled_version: Option<i64>,
    unreachable: Option<String>,
    made: u64,
}

impl TeamDecisions {
    /// Opens the decisions of the library at `library`; the shared store is
    /// only reached by [`TeamDecisions::sync`].
    pub fn open(library: &Path, settings: &TeamSettings) -> Result<Self, DecisionError> {
        let local = LocalDecisions::open(&LibraryData::store_path(library))?;
        let stored = stored_settings(&local)?;
        let editor = (settings.editor.clone())
            .or(stored.editor)
            .unwrap_or_else(default_editor);
        if editor.trim().is_empty() {
            return Err(DecisionError::NoEditor);
        }
        let shared_path = (settings.shared.clone())
            .or(stored.shared.map(|s| library.join(s)))
            .unwrap_or_else(|| library.join(SHARED_FILE));
        Ok(Self {
            local,
            shared_path,
            shared: None,
            editor: editor.trim().to_string(),
            pulled_version: None,
            unreachable: None,
            made: 0,
        })
    }

    pub fn editor(&self) -> &str {
        &self.editor
    }

    pub fn shared_path(&self) -> &Path {
        &self.shared_path
    }

    /// Records the editor's decision on `pair_id` in the library's store,
    /// with where they put the cut when they moved it (checked by the
    /// caller, [`super::trim`]; a `clear` keeps none). When this returns
    /// the decision is durable; it reaches the team with the next
    /// [`TeamDecisions::sync`].
    pub fn decide(
        &mut self,
        pair_id: &str,
        decision: Decision,
        note: Option<&str>,
        cut: Option<CutPoints>,
    ) -> Result<DecisionEvent, DecisionError> {
        let valid = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if pair_id.is_empty() || pair_id.len() > 128 || !pair_id.chars().all(valid) {
            return Err(DecisionError::InvalidPair(pair_id.to_string()));
        }
        self.made += 1;
        let decided_at_ms = now_ms();
        let clock = decided_at_ms.max(self.local.max_clock()?.saturating_add(1));
        let event = DecisionEvent {
            id: event_id(&self.editor, pair_id, decided_at_ms, self.made),
            pair_id: pair_id.to_string(),
            editor: self.editor.clone(),
            decided_at_ms,
            decision,
            note: note
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(String::from),
            clock,
            cut: cut.filter(|_| decision != Decision::Clear),
        };
        self.local.record(&event)?;
        Ok(event)
    }

    /// Pushes the outbox to the shared store and pulls the team's new
    /// events. Never fails: what went wrong is in the status.
    pub fn sync(&mut self) -> SyncOutcome {
        let attempt = self.connect().and_then(|()| self.exchange());
        let arrived = match attempt {
            Ok(arrived) => {
                self.unreachable = None;
                arrived
            }
            Err(Problem::Shared(SharedError::Locked { .. })) => {
                self.unreachable = None;
                Vec::new()
            }
            Err(problem) => {
                tracing::debug!("sync: {problem}");
                self.shared = None;
                self.unreachable = Some(problem.to_string());
                Vec::new()
            }
        };
        SyncOutcome {
            status: self.status(),
            arrived,
        }
    }

    /// The sync status as of the last [`TeamDecisions::sync`].
    pub fn status(&self) -> SyncStatus {
        let pending = self.local.pending().unwrap_or(usize::MAX);
        match (&self.unreachable, pending) {
            (Some(reason), _) => SyncStatus::Unreachable {
                pending,
                reason: reason.clone(),
            },
            (None, 0) => SyncStatus::Synced,
            (None, pending) => SyncStatus::Pending { pending },
        }
    }

    /// The team's state per pair, from every event this library knows.
    pub fn pairs(&self) -> Result<Vec<PairDecisions>, DecisionError> {
        Ok(summarise(&self.local.events()?))
    }

    /// Events this library took in after position `after` (by any
    /// process: this one, the sync, another window or the CLI), with the
    /// last position; [`TeamDecisions::position`] is where to start.
    pub fn since(&self, after: i64) -> Result<(i64, Vec<DecisionEvent>), DecisionError> {
        Ok(self.local.since(after)?)
    }

    /// The position of the last event this library holds.
    pub fn position(&self) -> Result<i64, DecisionError> {
        Ok(self.local.last_position()?)
    }

    /// Every event this library knows, in decision order.
    pub fn events(&self) -> Result<Vec<DecisionEvent>, DecisionError> {
        Ok(self.local.events()?)
    }

    /// (Re)opens the shared store when there is no healthy connection.
    fn connect(&mut self) -> Result<(), Problem> {
        if self.shared.as_ref().is_some_and(|s| !s.still_there()) {
            self.shared = None;
        }
        if self.shared.is_none() {
            let shared = SharedStore::open(&self.shared_path)?;
            if self.local.pulled_seq(shared.store_id())?.is_none() {
                // A store new to this library gets everything decided here.
                self.local.requeue_own()?;
            }
            self.pulled_version = None;
            self.shared = Some(shared);
        }
        Ok(())
    }

    fn exchange(&mut self) -> Result<Vec<DecisionEvent>, Problem> {
        let Some(shared) = self.shared.as_mut() else {
            return Ok(Vec::new());
        };
        loop {
            let batch = self.local.outbox(BATCH)?;
            if batch.is_empty() {
                break;
            }
            shared.push(&batch)?;
            let ids: Vec<String> = batch.into_iter().map(|e| e.id).collect();
            self.local.mark_pushed(&ids)?;
        }
        let version = shared.data_version()?;
        if self.pulled_version == Some(version) {
            return Ok(Vec::new());
        }
        let arrived = pull(&mut self.local, shared, &self.editor)?;
        self.pulled_version = Some(version);
        Ok(arrived)
    }
}

/// Pulls the shared log past this library's cursor; returns the events of
/// other editors that were new here.
fn pull(
    local: &mut LocalDecisions,
    shared: &SharedStore,
    editor: &str,
) -> Result<Vec<DecisionEvent>, Problem> {
    let store_id = shared.store_id().to_string();
    let mut seq = local.pulled_seq(&store_id)?.unwrap_or(0);
    let mut arrived = Vec::new();
    loop {
        let (last, events) = shared.pull(seq, BATCH)?;
        let new = local.merge_pulled(&store_id, last, &events)?;
        arrived.extend(new.into_iter().filter(|e| e.editor != editor));
        if events.len() < BATCH {
            return Ok(arrived);
        }
        seq = last;
    }
}

/// What stopped a sync.
#[derive(Debug, thiserror::Error)]
enum Problem {
    #[error(transparent)]
    Shared(#[from] SharedError),
    #[error(transparent)]
    Local(#[from] StoreError),
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// An event id unique across machines: BLAKE3 over the editor, the pair,
/// the time, the process, a per-process count and per-process randomness.
fn event_id(editor: &str, pair_id: &str, decided_at_ms: i64, made: u64) -> String {
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let mut hasher = blake3::Hasher::new();
    for part in [editor.as_bytes(), pair_id.as_bytes()] {
        hasher.update(part);
        hasher.update(&[0]);
    }
    hasher.update(&decided_at_ms.to_le_bytes());
    hasher.update(&std::process::id().to_le_bytes());
    hasher.update(&made.to_le_bytes());
    hasher.update(&random.to_le_bytes());
    hasher.finalize().to_hex()[..32].to_string()
}

/// A decision time as RFC 3339 UTC text (for listings).
pub fn format_time(ms: i64) -> String {
    let format = &time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| ms.to_string())
}
