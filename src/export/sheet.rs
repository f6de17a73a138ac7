//! A contact sheet of ranked pairs, for people who would rather look than
//! read: one row per pair, the outgoing shot's last frame beside the
//! incoming shot's first frame, with rank, score, titles and timecodes. A
//! motion pair has its movement drawn on both frames: an arrow for a pan
//! or a subject's run (how far it goes in a second), four for a zoom.

use crate::jobs::listing::{PairEnd, PairView};
use crate::matching::MotionParts;
use crate::media::{MediaError, RgbImage};
use crate::motion::carry::{Arrow, Kind};
use std::path::{Path, PathBuf};

const THUMB_W: usize = 384;
const THUMB_H: usize = 216;
const PAD: usize = 12;
/// Text is the 8×8 font drawn at twice its size.
const SCALE: usize = 2;
const LINE: usize = 8 * SCALE + 4;
/// Two caption lines (score and its parts), the two frames, two lines
/// under each (file, shot and timecode).
const ROW_H: usize = 2 * LINE + THUMB_H + 2 * LINE + 2 * PAD;
const WIDTH: usize = 2 * THUMB_W + 3 * PAD;
const BACKGROUND: [u8; 3] = [24, 24, 24];
const TEXT: [u8; 3] = [235, 235, 235];
const DIM: [u8; 3] = [150, 150, 150];
/// Motion arrows: a yellow that reads on most pictures, with a dark edge.
const ARROW: [u8; 3] = [255, 214, 10];
const ARROW_EDGE: [u8; 3] = [0, 0, 0];

/// Why a sheet could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot write the contact sheet: {reason}", path.display())]
pub struct SheetError {
    pub path: PathBuf,
    pub reason: String,
}

/// An RGB canvas.
struct Canvas {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Self {
        let data = BACKGROUND.repeat(width * height);
        Self {
            width,
            height,
            data,
        }
    }

    fn put(&mut self, x: usize, y: usize, rgb: [u8; 3]) {
        if x < self.width && y < self.height {
            let i = 3 * (y * self.width + x);
            self.data[i..i + 3].copy_from_slice(&rgb);
        }
    }

    /// ASCII text (other characters as `?`), clipped to `max_chars`.
    fn text(&mut self, x: usize, y: usize, text: &str, rgb: [u8; 3], max_chars: usize) {
        for (n, c) in text.chars().take(max_chars).enumerate() {
            let glyph = font8x8::legacy::BASIC_LEGACY[if c.is_ascii() {
                c as usize
            } else {
                b'?' as usize
            }];
            for (row, bits) in glyph.iter().enumerate() {
                for col in 0..8 {
                    if bits >> col & 1 == 1 {
                        self.block(x + (n * 8 + col) * SCALE, y + row * SCALE, rgb);
                    }
                }
            }
        }
    }

    /// A line `width` pixels wide from `a` to `b` (points may lie off the
    /// canvas; what does is clipped).
    fn line(&mut self, a: [f32; 2], b: [f32; 2], width: f32, rgb: [u8; 3]) {
        let steps = ((b[0] - a[0]).hypot(b[1] - a[1]) * 2.0).ceil().max(1.0) as usize;
        let r = width / 2.0;
        for i in 0..=steps {
            let t = i as f32 / steps as f32;
            let (cx, cy) = (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t);
            let (x0, y0) = ((cx - r).floor().max(0.0), (cy - r).floor().max(0.0));
            for y in y0 as usize..=(cy + r).ceil().max(0.0) as usize {
                for x in x0 as usize..=(cx + r).ceil().max(0.0) as usize {
                    if (x as f32 - cx).hypot(y as f32 - cy) <= r {
                        self.put(x, y, rgb);
                    }
                }
            }
        }
    }

    /// An arrow from `a` to `b` with its head at `b`, edged for contrast.
    fn arrow(&mut self, a: [f32; 2], b: [f32; 2]) {
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let length = dx.hypot(dy).max(1e-3);
        let (ux, uy) = (dx / length, dy / length);
        let head = (length * 0.35).clamp(6.0, 18.0);
        let barbs = [(-uy, ux), (uy, -ux)].map(|(px, py)| {
            [
                b[0] - head * ux + head * 0.6 * px,
                b[1] - head * uy + head * 0.6 * py,
            ]
        });
        for (width, colour) in [(7.0, ARROW_EDGE), (3.5, ARROW)] {
            self.line(a, b, width, colour);
            for barb in barbs {
                self.line(b, barb, width, colour);
            }
        }
    }

    fn block(&mut self, x: usize, y: usize, rgb: [u8; 3]) {
        for dy in 0..SCALE {
            for dx in 0..SCALE {
                self.put(x + dx, y + dy, rgb);
            }
        }
    }

    /// `image` fitted into the THUMB_W×THUMB_H box at (x, y), box-averaged.
    fn thumbnail(&mut self, x: usize, y: usize, image: &RgbImage) {
        let (w, h) = (image.width as usize, image.height as usize);
        if w == 0 || h == 0 {
            return;
        }
        let scale = (THUMB_W as f64 / w as f64).min(THUMB_H as f64 / h as f64);
        let (tw, th) = (
            ((w as f64 * scale) as usize).max(1),
            ((h as f64 * scale) as usize).max(1),
        );
        let (ox, oy) = (x + (THUMB_W - tw) / 2, y + (THUMB_H - th) / 2);
        for ty in 0..th {
            let (y0, y1) = (ty * h / th, ((ty + 1) * h / th).max(ty * h / th + 1));
            for tx in 0..tw {
                let (x0, x1) = (tx * w / tw, ((tx + 1) * w / tw).max(tx * w / tw + 1));
                let mut sum = [0u64; 3];
                for sy in y0..y1 {
                    for sx in x0..x1 {
                        let i = 3 * (sy * w + sx);
                        for (total, &v) in sum.iter_mut().zip(&image.data[i..i + 3]) {
                            *total += u64::from(v);
                        }
                    }
                }
                let n = ((y1 - y0) * (x1 - x0)) as u64;
                let px = [(sum[0] / n) as u8, (sum[1] / n) as u8, (sum[2] / n) as u8];
                self.put(ox + tx, oy + ty, px);
            }
        }
    }
}

/// The picture of one side of a pair, as the window shows it
/// ([`crate::frames::picture`]).
fn picture(end: &PairEnd) -> Result<RgbImage, MediaError> {
    crate::frames::picture(Path::new(&end.path), end.frame)
}

/// The file name of `path` (the whole of it when it has none).
pub(crate) fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// Draws one side: picture (or why it is missing) with its movement,
/// file name, shot and timecode.
fn side(canvas: &mut Canvas, x: usize, y: usize, end: &PairEnd, motion: Option<(Kind, Arrow)>) {
    let chars = THUMB_W / (8 * SCALE);
    match picture(end) {
        Ok(image) => canvas.thumbnail(x, y, &image),
        Err(e) => canvas.text(x, y + THUMB_H / 2, &format!("unavailable: {e}"), DIM, chars),
    }
    if let Some((kind, arrow)) = motion {
        draw_motion(canvas, (x as f32, y as f32), kind, arrow);
    }
    let below = y + THUMB_H + 4;
    canvas.text(x, below, &file_name(&end.path), TEXT, chars);
    let place = format!("shot {}  {}", end.shot, end.timecode);
    canvas.text(x, below + LINE, &place, DIM, chars);
}

/// A movement over the picture whose box is at `origin`: where it goes
/// in one second (at most the box's half), or a zoom's four arrows (out
/// from the centre when it zooms in).
fn draw_motion(canvas: &mut Canvas, origin: (f32, f32), kind: Kind, arrow: Arrow) {
    let (w, h) = (THUMB_W as f32, THUMB_H as f32);
    let at = [origin.0 + arrow.at[0] * w, origin.1 + arrow.at[1] * h];
    if kind == Kind::Zoom {
        let reach = (arrow.velocity[0].abs() * w).clamp(12.0, h * 0.3);
        let (inner, outer) = if arrow.velocity[0] >= 0.0 {
            (h * 0.12, h * 0.12 + reach)
        } else {
            (h * 0.12 + reach, h * 0.12)
        };
        for (dx, dy) in [(1.0f32, 1.0f32), (-1.0, 1.0), (1.0, -1.0), (-1.0, -1.0)] {
            let unit = std::f32::consts::FRAC_1_SQRT_2;
            let point = |r: f32| [at[0] + dx * unit * r, at[1] + dy * unit * r];
            canvas.arrow(point(inner), point(outer));
        }
        return;
    }
    let mut d = [arrow.velocity[0] * w, arrow.velocity[1] * h];
    let length = d[0].hypot(d[1]);
    let longest = h * 0.5;
    if length > longest {
        d = [d[0] * longest / length, d[1] * longest / length];
    }
    // A camera's arrow is centred on the picture, a subject's starts on it.
    let start = match kind {
        Kind::Camera => [at[0] - d[0] / 2.0, at[1] - d[1] / 2.0],
        _ => at,
    };
    canvas.arrow(start, [start[0] + d[0], start[1] + d[1]]);
}

/// The caption lines of a motion pair: what moves, how alike the two
/// movements are.
fn motion_caption(rank: usize, score: f32, m: &MotionParts) -> (String, String) {
    let what = match m.what {
        Kind::Camera => "camera moves",
        Kind::Zoom => "camera zooms",
        Kind::Subject => "subject moves",
    };
    let first = format!("#{rank} {}  motion: {what}", short(score));
    let second = format!(
        "same way {}  speed ratio {}",
        short(m.direction),
        short(m.speed_ratio)
    );
    (first, second)
}

/// A correlation in two decimals without its leading zero (`.62`, `-.18`):
/// the score and its parts fit two caption lines.
fn short(v: f32) -> String {
    let text = format!("{v:.2}");
    text.replacen("0.", ".", 1)
}

/// Writes the contact sheet of `pairs` (in their order) as a PNG.
pub fn write_sheet(pairs: &[PairView], out: &Path) -> Result<(), SheetError> {
    let mut canvas = Canvas::new(WIDTH, (ROW_H * pairs.len()).max(ROW_H));
    if pairs.is_empty() {
        canvas.text(PAD, PAD, "no candidate pairs", TEXT, WIDTH / (8 * SCALE));
    }
    for (row, pair) in pairs.iter().enumerate() {
        let y = row * ROW_H + PAD;
        let c = &pair.components;
        let chars = WIDTH / (8 * SCALE);
        let score = format!(
            "#{} {}  figure {}  salient {}  subject {}",
            pair.rank,
            short(pair.score),
            short(c.figure),
            short(c.salient),
            short(c.subject)
        );
        let parts = format!(
            "objects {}  lines {}  light {}  edges {}",
            short(c.objects),
            short(c.lines),
            short(c.light),
            short(c.edges)
        );
        let (score, parts) = match &c.motion {
            Some(m) => motion_caption(pair.rank, pair.score, m),
            None => (score, parts),
        };
        canvas.text(PAD, y, &score, TEXT, chars);
        canvas.text(PAD, y + LINE, &parts, DIM, chars);
        let (exit, entry) = match &c.motion {
            Some(m) => (Some((m.what, m.exit)), Some((m.what, m.entry))),
            None => (None, None),
        };
        side(&mut canvas, PAD, y + 2 * LINE, &pair.from, exit);
        side(
            &mut canvas,
            2 * PAD + THUMB_W,
            y + 2 * LINE,
            &pair.to,
            entry,
        );
    }
    let image = RgbImage {
        width: canvas.width as u32,
        height: canvas.height as u32,
        data: canvas.data,
    };
    image.save_png(out).map_err(|e| SheetError {
        path: out.to_path_buf(),
        reason: e.to_string(),
    })
}
