//! The export view's settings (format, EDL style, handles, record start,
//! sequence rate, title), kept with the library so the view opens as the
//! editor left it, and its live preview: the sequence and the file's text.

use super::{build, render, CutFormat, CutOptions, CutOrder, Cuts, CutsError, Sequence};
use crate::export::EdlStyle;
use crate::jobs::decisions::{read_setting, write_setting};
use crate::jobs::team::PairDecisions;
use crate::media::Rate;
use crate::store::StoreError;
use serde::{Deserialize, Serialize};
use std::path::Path;

const KEY: &str = "export_settings";

/// The file an export writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "lowercase")]
pub enum ExportKind {
    /// CMX 3600.
    Edl,
    /// OpenTimelineIO.
    Otio,
    /// Final Cut Pro 7 XML (Premiere Pro, Resolve).
    Xml,
}

/// What the export view sets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportSettings {
    pub kind: ExportKind,
    pub style: EdlStyle,
    /// Seconds of each shot either side of a cut.
    pub handles_secs: f64,
    pub record_start: String,
    /// The sequence's rate, `num/den` (none: the rate most clips have).
    pub frame_rate: Option<String>,
    pub title: String,
}

impl Default for ExportSettings {
    fn default() -> Self {
        let options = CutOptions::default();
        Self {
            kind: ExportKind::Edl,
            style: EdlStyle::Avid,
            handles_secs: options.handles_secs,
            record_start: options.record_start,
            frame_rate: None,
            title: options.title,
        }
    }
}

impl ExportSettings {
    /// The layout and file format these settings ask for.
    pub fn options(&self) -> Result<(CutOptions, CutFormat), CutsError> {
        let rate = match self.frame_rate.as_deref().filter(|r| !r.is_empty()) {
            Some(text) => Some(Rate::parse(text).ok_or_else(|| CutsError::Rate(text.into()))?),
            None => None,
        };
        let options = CutOptions {
            handles_secs: self.handles_secs,
            record_start: self.record_start.clone(),
            rate,
            order: CutOrder::Sequence,
            title: self.title.clone(),
        };
        let format = match self.kind {
            ExportKind::Edl => CutFormat::Edl(self.style),
            ExportKind::Otio => CutFormat::Otio,
            ExportKind::Xml => CutFormat::Xml,
        };
        Ok((options, format))
    }

    /// The file name extension of the format.
    pub fn extension(&self) -> &'static str {
        match self.kind {
            ExportKind::Edl => "edl",
            ExportKind::Otio => "otio",
            ExportKind::Xml => "xml",
        }
    }
}

/// The library's export settings (the defaults when none are kept, or
/// they cannot be read).
pub fn export_settings(library: &Path) -> Result<ExportSettings, StoreError> {
    Ok(read_setting(library, KEY)?.unwrap_or_default())
}

/// Keeps `settings` with the library.
pub fn save_export_settings(library: &Path, settings: &ExportSettings) -> Result<(), StoreError> {
    write_setting(library, KEY, settings)
}

/// The export view's content: the sequence, and the file it would write
/// (or why none can be written yet).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ExportPreview {
    pub sequence: Sequence,
    pub text: String,
    pub problem: Option<String>,
}

/// Keeps `settings` with the library and previews the export of the
/// approved pairs among `decided` under them.
pub fn preview(
    library: &Path,
    decided: &[PairDecisions],
    settings: &ExportSettings,
) -> Result<ExportPreview, CutsError> {
    save_export_settings(library, settings)?;
    let (options, format) = settings.options()?;
    let cuts: Cuts = build(library, decided, &options)?;
    let (text, problem) = match render(&cuts, format) {
        Ok(text) => (text, None),
        Err(e) => (String::new(), Some(e.to_string())),
    };
    Ok(ExportPreview {
        sequence: cuts.sequence,
        text,
        problem,
    })
}

/// Writes the export `settings` ask for to `out`, keeping them.
pub fn save(
    library: &Path,
    decided: &[PairDecisions],
    settings: &ExportSettings,
    out: &Path,
) -> Result<super::CutsReport, CutsError> {
    save_export_settings(library, settings)?;
    let (options, format) = settings.options()?;
    super::write_cuts(&build(library, decided, &options)?, format, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_kept_with_the_library() {
        let dir = std::env::temp_dir().join(format!("matchcut-xsettings-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(export_settings(&dir).unwrap(), ExportSettings::default());
        let settings = ExportSettings {
            kind: ExportKind::Xml,
            style: EdlStyle::Resolve,
            handles_secs: 1.5,
            record_start: "10:00:00:00".into(),
            frame_rate: Some("25".into()),
            title: "Trailer".into(),
        };
        save_export_settings(&dir, &settings).unwrap();
        assert_eq!(export_settings(&dir).unwrap(), settings);
        let (options, format) = settings.options().unwrap();
        assert_eq!((options.rate, format), (Rate::new(25, 1), CutFormat::Xml));
        let bad = ExportSettings {
            frame_rate: Some("fast".into()),
            ..settings
        };
        assert!(bad.options().unwrap_err().to_string().contains("fast"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
