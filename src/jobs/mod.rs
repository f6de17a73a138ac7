//! Jobs: a title's whole analysis, stage by stage, each stage memoised in
//! the [`crate::store`] under the title's content hash.

mod analyse;

pub use analyse::{analyse, Analysers, Analysis, JobError, KeyframeVector, StageRun};
