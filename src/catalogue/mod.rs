//! Catalogue mode (issue 23): the per-title work of a scan as worker
//! commands whose results are immutable Parquet files keyed by content,
//! for a cluster to run over a whole catalogue.

pub mod features;
pub mod table;
pub mod worker;
