//! The long-lived embedding worker (`matchcut worker embed`): one process
//! per GPU loads the model once and embeds keyframes for as long as its
//! stdin stays open, so a cluster's CPU workers decode and preprocess and
//! its GPU workers only run the model.
//!
//! **Protocol** (stdin → stdout, one request at a time, in order). A
//! request is one JSON line, `{"id": "...", "frames": [f0, f1, ...]}`,
//! followed by the frames' model inputs: `frames.len()` blocks of
//! `3 × side × side` little-endian `f32` (NCHW, normalised as
//! `embed::preprocess_config` makes them; `side` is `model_side` there,
//! reported by `matchcut worker key`). The answer is one JSON line:
//! `{"id", "model", "served", "keyframes": [{"frame", "vector",
//! "composition", "text", "regions", "figure"}]}`, each keyframe exactly
//! what a local analysis stores for it (`jobs::KeyframeVector`); `served`
//! counts the requests this process has answered, so a client sees the
//! model was loaded once. A request the worker cannot read gets
//! `{"id", "error", "retry": false}` and ends the process with exit code
//! 65 (the stream cannot be trusted after it); a model failure gets
//! `"retry": true` and exit code 75.

use crate::embed::{self, EmbedError, Embedder};
use crate::jobs::capture_api::embed_inputs;
use std::io::{BufRead, Read, Write};

/// Most frames in one request.
pub const MOST_FRAMES: usize = 4096;

/// Why serving stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("request {id}: {reason}")]
    BadRequest { id: String, reason: String },
    #[error("the model failed: {0}")]
    Model(#[from] EmbedError),
    #[error("cannot read or answer: {0}")]
    Io(#[from] std::io::Error),
}

impl ServeError {
    /// 65: bad input, never retried; 75: retry.
    pub fn exit_code(&self) -> u8 {
        match self {
            ServeError::BadRequest { .. } => 65,
            _ => 75,
        }
    }
}

/// Frames and their model inputs.
type Inputs = Vec<(u64, Vec<f32>)>;

#[derive(serde::Deserialize)]
struct Request {
    id: String,
    frames: Vec<u64>,
}

#[derive(serde::Serialize)]
struct Keyframe {
    frame: u64,
    vector: Vec<f32>,
    composition: Vec<i8>,
    text: f32,
    regions: Vec<i8>,
    figure: f32,
}

/// Answers requests from `input` on `output` until `input` ends; returns
/// how many it answered.
pub fn serve(
    mut input: impl BufRead,
    mut output: impl Write,
    embedder: &Embedder,
) -> Result<u64, ServeError> {
    let side = embed::preprocess_config().model_side as usize;
    let block = 3 * side * side;
    let mut served = 0;
    loop {
        let mut header = String::new();
        if input.read_line(&mut header)? == 0 {
            return Ok(served);
        }
        if header.trim().is_empty() {
            continue;
        }
        let answer = match read_request(&header, &mut input, block) {
            Ok((id, items)) => match embed_inputs(&items, embedder, side) {
                Ok(keyframes) => {
                    served += 1;
                    let keyframes: Vec<Keyframe> = keyframes
                        .into_iter()
                        .map(|k| Keyframe {
                            frame: k.frame,
                            vector: k.vector,
                            composition: k.composition,
                            text: k.text,
                            regions: k.regions,
                            figure: k.figure,
                        })
                        .collect();
                    serde_json::json!({"id": id, "model": embed::MODEL_ID, "served": served, "keyframes": keyframes})
                }
                Err(e) => {
                    failed(&mut output, &id, &e.to_string(), true)?;
                    return Err(e.into());
                }
            },
            Err(e) => {
                let id = match &e {
                    ServeError::BadRequest { id, .. } => id.clone(),
                    _ => String::new(),
                };
                failed(&mut output, &id, &e.to_string(), false)?;
                return Err(e);
            }
        };
        writeln!(output, "{answer}")?;
        output.flush()?;
    }
}

/// The request a header line names, with its frames' model inputs read.
fn read_request(
    header: &str,
    input: &mut impl Read,
    block: usize,
) -> Result<(String, Inputs), ServeError> {
    let bad = |id: &str, reason: String| ServeError::BadRequest {
        id: id.to_string(),
        reason,
    };
    let request: Request = serde_json::from_str(header.trim())
        .map_err(|e| bad("?", format!("not a request line ({e})")))?;
    let id = request.id.as_str();
    if request.frames.is_empty() || request.frames.len() > MOST_FRAMES {
        let reason = format!("{} frames (1 to {MOST_FRAMES})", request.frames.len());
        return Err(bad(id, reason));
    }
    let mut bytes = vec![0u8; block * 4];
    let mut items = Vec::with_capacity(request.frames.len());
    for (n, &frame) in request.frames.iter().enumerate() {
        input.read_exact(&mut bytes).map_err(|e| {
            let reason = format!(
                "frame {n} of {}: its input is cut short ({e})",
                request.frames.len()
            );
            bad(id, reason)
        })?;
        let values: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        if values.iter().any(|v| !v.is_finite()) {
            return Err(bad(id, format!("frame {n}: its input is not finite")));
        }
        items.push((frame, values));
    }
    Ok((request.id, items))
}

fn failed(output: &mut impl Write, id: &str, error: &str, retry: bool) -> std::io::Result<()> {
    let line = serde_json::json!({"id": id, "error": error, "retry": retry});
    writeln!(output, "{line}")?;
    output.flush()
}
