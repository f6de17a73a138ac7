//! Jobs: a title's whole analysis, stage by stage, each stage memoised in
//! the [`crate::store`] under the title's content hash; the library's
//! analysis data ([`library`]); the scan pipeline ([`scan`]); and what the
//! front ends list ([`listing`]).

mod analyse;
mod capture;
pub mod library;
pub mod listing;
pub mod scan;

pub use analyse::{analyse, analysis_key, Analysers, Analysis, JobError, KeyframeVector, StageRun};
pub use library::{LibraryData, LibraryDataError};
pub use scan::{scan, ScanEvent, ScanOptions, ScanReport, TitleOutcome, TitleStatus};
