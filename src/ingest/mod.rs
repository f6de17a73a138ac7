//! How titles reach a library while the editor works: dropped on the
//! window or added ([`Ingest`], a background queue over the scan
//! pipeline), or saved into watched folders ([`FolderWatcher`], which
//! queues each file once it is complete, [`settle`]).
//! `matchcut watch` and the app use the same two pieces.

pub mod folders;
pub mod queue;
pub mod settle;
pub mod watcher;

pub use folders::{unwatch_folder, watch_folder, watched_folders};
pub use queue::{Ingest, IngestEvent, IngestState, IngestTitle};
pub use settle::{Quiet, Settler, Writer};
pub use watcher::{FolderWatcher, WatchError};
