//! Frames to look at: a title's frame as the editor should see it (decoded
//! exactly, upright, at its display aspect), and encoded for a window, cached
//! by content hash, frame index and width in a cache of bounded size. The
//! window's thumbnails and full frames and the contact sheet all come from
//! here.

use crate::media::{self, MediaError, RgbImage, ToRgb};
use lru::LruCache;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// JPEG quality of encoded frames: pictures, not text, at a size a window
/// loads quickly.
const QUALITY: u8 = 90;

/// Which frame, at which width (`None`: full size).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FrameKey {
    pub content_hash: String,
    pub frame: u64,
    pub width: Option<u32>,
}

/// An encoded frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Encoded {
    pub width: u32,
    pub height: u32,
    pub jpeg: Vec<u8>,
}

/// Widths up to which a copy is decoded without the deblocking filter.
const SMALL: u32 = 480;

/// Widths a request may ask for.
const WIDTHS: std::ops::RangeInclusive<u32> = 16..=8192;

impl FrameKey {
    /// A window's request for a frame: `/<content hash>/<frame index>`,
    /// with `w=<width>` in `query` for a smaller copy. Anything else (a
    /// path, a dot, a name that is not a content hash) is no request: no
    /// part of it ever reaches the file system.
    pub fn from_request(path: &str, query: Option<&str>) -> Option<Self> {
        let mut parts = path.trim_start_matches('/').split('/');
        let (hash, frame) = (parts.next()?, parts.next()?);
        let is_hash = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
        if !is_hash || parts.next().is_some() || !frame.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let width = match query.filter(|q| !q.is_empty()) {
            None => None,
            Some(q) => Some(
                q.strip_prefix("w=")?
                    .parse::<u32>()
                    .ok()
                    .filter(|w| WIDTHS.contains(w))?,
            ),
        };
        Some(Self {
            content_hash: hash.to_ascii_lowercase(),
            frame: frame.parse().ok()?,
            width,
        })
    }
}

/// Encoded frames, most recently used kept, at most `budget` bytes. Two
/// requests for one frame at once decode it once: the second waits for the
/// first. Work that can wait ([`Priority::Soon`], [`Priority::Later`])
/// decodes one frame at a time, sooner first, and thumbnails at a low
/// scheduling priority, so the frames the editor is looking at, and the
/// window painting them, keep the cores; a frame wanted [`Priority::Now`]
/// never waits in that queue, even for the same frame.
pub struct FrameCache {
    entries: Mutex<Cache>,
    background: Lane,
    /// A lock per frame being decoded now.
    decoding: Mutex<HashMap<FrameKey, Arc<Mutex<()>>>>,
    decodes: AtomicU64,
}

struct Cache {
    lru: LruCache<FrameKey, Arc<Encoded>>,
    bytes: usize,
    budget: usize,
}

impl FrameCache {
    pub fn new(budget_bytes: usize) -> Self {
        Self {
            entries: Mutex::new(Cache {
                lru: LruCache::unbounded(),
                bytes: 0,
                budget: budget_bytes,
            }),
            decoding: Default::default(),
            background: Lane::default(),
            decodes: AtomicU64::new(0),
        }
    }

    /// Bytes held now.
    pub fn bytes(&self) -> usize {
        self.entries.lock().map_or(0, |c| c.bytes)
    }

    /// Frames decoded so far (every miss of the cache).
    pub fn decodes(&self) -> u64 {
        self.decodes.load(Ordering::Relaxed)
    }

    fn cached(&self, key: &FrameKey) -> Option<Arc<Encoded>> {
        self.entries.lock().ok()?.lru.get(key).cloned()
    }

    /// Frame `key` of the title at `path` (whose content hash is
    /// `key.content_hash`), from the cache or decoded and encoded now.
    pub fn get(&self, path: &Path, key: &FrameKey) -> Result<Arc<Encoded>, MediaError> {
        self.get_with(path, key, Priority::Now)
    }

    /// Like [`FrameCache::get`], at `priority`: a miss that can wait
    /// decodes once no other waiting work is decoding, sooner work first.
    pub fn get_with(
        &self,
        path: &Path,
        key: &FrameKey,
        priority: Priority,
    ) -> Result<Arc<Encoded>, MediaError> {
        if let Some(hit) = self.cached(key) {
            return Ok(hit);
        }
        match priority {
            Priority::Now => self.decode_once(path, key, false),
            Priority::Soon | Priority::Later => {
                let _turn = self.background.enter(priority == Priority::Soon);
                self.decode_once(path, key, priority == Priority::Later)
            }
        }
    }

    /// Decodes frame `key`, unless a request decoding it now finishes
    /// first (then its frame is taken). A request waiting for the lane
    /// holds nothing yet, so it never holds up a frame wanted now.
    fn decode_once(
        &self,
        path: &Path,
        key: &FrameKey,
        meekly: bool,
    ) -> Result<Arc<Encoded>, MediaError> {
        let slot = match self.decoding.lock() {
            Ok(mut decoding) => decoding.entry(key.clone()).or_default().clone(),
            Err(_) => Arc::default(),
        };
        let turn = slot.lock();
        let result = match self.cached(key) {
            Some(hit) => Ok(hit),
            None if meekly => self.decode_meekly(path, key),
            None => self.decode(path, key),
        };
        drop(turn);
        if let Ok(mut decoding) = self.decoding.lock() {
            decoding.remove(key);
        }
        result
    }

    /// Decodes on a thread of its own at a low scheduling priority (and so
    /// do the decoder's threads, which inherit it): on a machine with few
    /// cores, the window painting and the frames in view go first.
    fn decode_meekly(&self, path: &Path, key: &FrameKey) -> Result<Arc<Encoded>, MediaError> {
        crate::meek::meekly("frames-background", || self.decode(path, key)).unwrap_or_else(|| {
            Err(MediaError::Decode {
                path: path.to_path_buf(),
                reason: "the decoding thread stopped".into(),
            })
        })
    }

    fn decode(&self, path: &Path, key: &FrameKey) -> Result<Arc<Encoded>, MediaError> {
        self.decodes.fetch_add(1, Ordering::Relaxed);
        // A small copy cannot show the deblocking filter's work: skipped.
        let mode = match key.width {
            Some(w) if w <= SMALL => media::DecodeMode::Scan,
            _ => media::DecodeMode::Full,
        };
        let picture = picture_decoded(path, key.frame, mode)?;
        let picture = match key.width {
            Some(w) if w < picture.width => resize(&picture, w),
            _ => picture,
        };
        let encoded = Arc::new(encode(path, &picture)?);
        if let Ok(mut cache) = self.entries.lock() {
            cache.insert(key.clone(), encoded.clone());
        }
        Ok(encoded)
    }
}

/// How soon a frame is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Priority {
    /// In view now: decoded at once.
    Now,
    /// Wanted next (the next pair's frames).
    Soon,
    /// Whenever there is time (thumbnails).
    Later,
}

/// One decode at a time for work that can wait; `Soon` goes before `Later`.
#[derive(Default)]
struct Lane {
    /// Whether a decode holds the lane, and how many `Soon` ones wait.
    state: Mutex<(bool, usize)>,
    free: Condvar,
}

struct Turn<'a>(&'a Lane);

impl Lane {
    fn enter(&self, soon: bool) -> Turn<'_> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if soon {
            state.1 += 1;
        }
        while state.0 || (!soon && state.1 > 0) {
            state = self.free.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        if soon {
            state.1 -= 1;
        }
        state.0 = true;
        Turn(self)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0 = false;
        self.0.free.notify_all();
    }
}

impl Cache {
    fn insert(&mut self, key: FrameKey, value: Arc<Encoded>) {
        let size = value.jpeg.len();
        if let Some(old) = self.lru.put(key, value) {
            self.bytes -= old.jpeg.len();
        }
        self.bytes += size;
        while self.bytes > self.budget {
            match self.lru.pop_lru() {
                Some((_, old)) => self.bytes -= old.jpeg.len(),
                None => break,
            }
        }
    }
}

/// Frame `index` of the title at `path`, decoded exactly (by seeking),
/// upright and at its display aspect (non-square pixels widened or
/// narrowed to square ones).
pub fn picture(path: &Path, index: u64) -> Result<RgbImage, MediaError> {
    picture_decoded(path, index, media::DecodeMode::Full)
}

fn picture_decoded(
    path: &Path,
    index: u64,
    mode: media::DecodeMode,
) -> Result<RgbImage, MediaError> {
    let mut decoder = media::Decoder::probe_and_open(path, mode)?;
    let (rotation, aspect) = {
        let info = decoder.info();
        (info.rotation, pixel_aspect(&info.sample_aspect_ratio))
    };
    let frame = decoder.seek_frame(index)?;
    let upright = frame
        .frame
        .to_rgb(rotation)
        .map_err(|e| MediaError::Decode {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    let width = display_width(upright.width, aspect, rotation);
    Ok(if width == upright.width {
        upright
    } else {
        resize_to(&upright, width, upright.height)
    })
}

/// Frame `index` of the title at `path` as a JPEG `width` pixels wide (or
/// narrower when the picture is): a review sheet's pictures.
pub fn jpeg(path: &Path, index: u64, width: u32) -> Result<Vec<u8>, MediaError> {
    let picture = picture(path, index)?;
    let sized = if picture.width > width {
        resize(&picture, width)
    } else {
        picture
    };
    Ok(encode(path, &sized)?.jpeg)
}

/// The size a title's pictures show at: upright, with square pixels.
pub fn display_size(info: &media::MediaInfo) -> (u32, u32) {
    let aspect = pixel_aspect(&info.sample_aspect_ratio);
    let (w, h) = match info.rotation % 180 {
        90 => (info.height, info.width),
        _ => (info.width, info.height),
    };
    (display_width(w, aspect, info.rotation), h)
}

/// A sample aspect ratio `w:h` as a number (1 when it cannot be read).
fn pixel_aspect(sar: &str) -> f64 {
    let mut parts = sar.split(':').map(|p| p.trim().parse::<f64>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(w), Some(h)) if w > 0.0 && h > 0.0 => w / h,
        _ => 1.0,
    }
}

/// The width an upright picture `width` wide shows at: its pixels are
/// `aspect` wide for 1 high (high for 1 wide when turned a quarter).
fn display_width(width: u32, aspect: f64, rotation: u32) -> u32 {
    let factor = if rotation % 180 == 90 {
        1.0 / aspect
    } else {
        aspect
    };
    ((f64::from(width) * factor).round() as u32).max(1)
}

/// The picture scaled to `width`, its aspect kept.
pub fn resize(image: &RgbImage, width: u32) -> RgbImage {
    let height = ((u64::from(image.height) * u64::from(width) / u64::from(image.width.max(1)))
        as u32)
        .max(1);
    resize_to(image, width, height)
}

/// The picture resampled to `width`×`height` (a triangle filter: bilinear,
/// widened when shrinking, so a thumbnail does not alias).
fn resize_to(image: &RgbImage, width: u32, height: u32) -> RgbImage {
    let (width, height) = (width.max(1), height.max(1));
    let Some(buffer) = image::RgbImage::from_raw(image.width, image.height, image.data.clone())
    else {
        return image.clone();
    };
    let resized = image::imageops::resize(
        &buffer,
        width,
        height,
        image::imageops::FilterType::Triangle,
    );
    RgbImage {
        width,
        height,
        data: resized.into_raw(),
    }
}

fn encode(path: &Path, picture: &RgbImage) -> Result<Encoded, MediaError> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, QUALITY)
        .encode(
            &picture.data,
            picture.width,
            picture.height,
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|e| MediaError::Decode {
            path: path.to_path_buf(),
            reason: format!("cannot encode the frame: {e}"),
        })?;
    Ok(Encoded {
        width: picture.width,
        height: picture.height,
        jpeg,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(width: u32, height: u32) -> RgbImage {
        let data = (0..height)
            .flat_map(|y| {
                (0..width)
                    .flat_map(move |x| [(x * 255 / width) as u8, (y * 255 / height) as u8, 128])
            })
            .collect();
        RgbImage {
            width,
            height,
            data,
        }
    }

    #[test]
    fn requests_name_a_title_by_hash_and_a_frame_nothing_else() {
        let hash = "ab".repeat(32);
        let key = FrameKey::from_request(&format!("/{hash}/120"), None).expect("request");
        assert_eq!(
            (key.content_hash.as_str(), key.frame, key.width),
            (hash.as_str(), 120, None)
        );
        let small = FrameKey::from_request(&format!("/{hash}/7"), Some("w=320")).expect("request");
        assert_eq!(small.width, Some(320));
        for (path, query) in [
            (format!("/{hash}/120/x"), None),
            (format!("/{hash}/-1"), None),
            (format!("/{hash}/../../etc/passwd"), None),
            ("/../etc/passwd/1".to_string(), None),
            (format!("/{}/1", "zz".repeat(32)), None),
            (format!("/{hash}/1"), Some("w=0")),
            (format!("/{hash}/1"), Some("w=99999")),
            (format!("/{hash}/1"), Some("path=/etc")),
            (format!("/{hash}/99999999999999999999999"), None),
        ] {
            assert_eq!(
                FrameKey::from_request(&path, query),
                None,
                "{path} {query:?}"
            );
        }
    }

    #[test]
    fn pixel_aspect_is_read_and_applied() {
        assert_eq!(pixel_aspect("1:1"), 1.0);
        assert_eq!(pixel_aspect("64:45"), 64.0 / 45.0);
        assert_eq!(pixel_aspect("0:1"), 1.0);
        assert_eq!(pixel_aspect("junk"), 1.0);
        // 720x576 anamorphic PAL shows 1024 wide; turned a quarter, narrower.
        assert_eq!(display_width(720, 64.0 / 45.0, 0), 1024);
        assert_eq!(display_width(576, 64.0 / 45.0, 90), 405);
    }

    #[test]
    fn resizing_keeps_the_picture() {
        let image = gradient(640, 360);
        let small = resize(&image, 160);
        assert_eq!((small.width, small.height), (160, 90));
        // The gradient runs the same way: left dark, right bright in red.
        let red = |img: &RgbImage, x: u32, y: u32| img.data[(3 * (y * img.width + x)) as usize];
        assert!(red(&small, 5, 45) < 20 && red(&small, 155, 45) > 235);
        let wide = resize_to(&image, 800, 360);
        assert_eq!(
            (wide.width, wide.height, wide.data.len()),
            (800, 360, 800 * 360 * 3)
        );
    }

    #[test]
    fn the_cache_keeps_what_fits_and_drops_the_least_recently_used() {
        let key = |frame| FrameKey {
            content_hash: "h".into(),
            frame,
            width: None,
        };
        let frame = |n: usize| {
            Arc::new(Encoded {
                width: 1,
                height: 1,
                jpeg: vec![0; n],
            })
        };
        let cache = FrameCache::new(100);
        let mut inner = cache.entries.lock().expect("lock");
        inner.insert(key(1), frame(40));
        inner.insert(key(2), frame(40));
        assert!(inner.lru.get(&key(1)).is_some()); // 1 is now the most recent
        inner.insert(key(3), frame(40));
        assert_eq!(inner.bytes, 80);
        assert!(inner.lru.contains(&key(1)) && inner.lru.contains(&key(3)));
        assert!(!inner.lru.contains(&key(2)));
        inner.insert(key(4), frame(500)); // larger than the budget: not kept
        assert_eq!((inner.bytes, inner.lru.len()), (0, 0));
    }
}

#[cfg(test)]
mod lane_tests {
    use super::{FrameCache, FrameKey, Lane, Priority};
    use std::path::PathBuf;
    use std::sync::{mpsc, Arc};
    use std::time::Duration;

    #[test]
    fn a_frame_wanted_now_never_waits_for_work_that_can_wait() {
        let sample =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/big_buck_bunny_720p_5s.mp4");
        let key = FrameKey {
            content_hash: "h".into(),
            frame: 30,
            width: None,
        };
        let cache = Arc::new(FrameCache::new(64 << 20));
        // Thumbnails hold the background lane; the next pair's prefetch of
        // this frame waits for it.
        let busy = cache.background.enter(false);
        let prefetch = {
            let (cache, sample, key) = (cache.clone(), sample.clone(), key.clone());
            std::thread::spawn(move || cache.get_with(&sample, &key, Priority::Soon).map(|_| ()))
        };
        std::thread::sleep(Duration::from_millis(50));
        // The editor moves on to that pair: the window gets it at once.
        let (tx, got) = mpsc::channel();
        {
            let (cache, sample, key) = (cache.clone(), sample.clone(), key.clone());
            std::thread::spawn(move || tx.send(cache.get(&sample, &key).map(|f| f.width)));
        }
        let width = got
            .recv_timeout(Duration::from_secs(60))
            .expect("not held up by the lane");
        assert_eq!(width.expect("frame"), 1280);
        drop(busy);
        prefetch.join().expect("thread").expect("frame");
        assert_eq!(cache.decodes(), 1, "the prefetch found the frame decoded");
    }

    #[test]
    fn work_wanted_soon_goes_before_work_wanted_later() {
        let lane = Arc::new(Lane::default());
        let busy = lane.enter(false);
        let (tx, order) = mpsc::channel();
        let waiter = |soon: bool, name: &'static str| {
            let (lane, tx) = (lane.clone(), tx.clone());
            std::thread::spawn(move || {
                let _turn = lane.enter(soon);
                tx.send(name).expect("send");
            })
        };
        let later = waiter(false, "later");
        std::thread::sleep(Duration::from_millis(50));
        let soon = waiter(true, "soon");
        std::thread::sleep(Duration::from_millis(50));
        // Both wait while the lane is busy.
        assert!(order.try_recv().is_err());
        drop(busy);
        later.join().expect("thread");
        soon.join().expect("thread");
        let got: Vec<&str> = order.try_iter().collect();
        assert_eq!(got, ["soon", "later"]);
    }
}
