//! Jobs: a title's whole analysis, stage by stage, each stage memoised in
//! the [`crate::store`] under the title's content hash; the library's
//! analysis data ([`library`]); the scan pipeline ([`scan`]); what the
//! front ends list ([`listing`]); and editors' decisions with their team
//! sync ([`decisions`], [`team`], [`watch`]).

mod analyse;
mod capture;
pub mod cuts;
pub mod decisions;
pub mod disk;
pub mod import;
pub mod library;
pub mod listing;
pub mod lists;
pub mod motion_lists;
pub mod progress;
pub mod scan;
pub mod sheet;
pub mod sync;
pub mod team;
pub mod trim;

/// What catalogue mode's embedding worker shares with a local analysis.
pub(crate) mod capture_api {
    pub(crate) use super::capture::embed_inputs;
}

pub use analyse::{
    analyse, analyse_hashed, analysis_key, hash_of, stored_analysis, Analysers, Analysis,
    FramePrint, JobError, KeyframeVector, StageRun,
};
pub use decisions::{SyncStatus, TeamDecisions, TeamSettings};
pub use library::{LibraryData, LibraryDataError, NewTitle, TitleMeta, WriterLock};
pub use scan::{scan, ScanEvent, ScanOptions, ScanReport, TitleOutcome, TitleStatus};
