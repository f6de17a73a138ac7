//! Frames for the window and the contact sheet, from a real file: exact,
//! upright, encoded, cached by content hash, frame and width.

use matchcut::frames::{FrameCache, FrameKey};
use std::path::PathBuf;
use std::sync::Arc;

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/bbb-sky.mp4")
}

fn key(frame: u64, width: Option<u32>) -> FrameKey {
    FrameKey {
        content_hash: "bbb-sky".into(),
        frame,
        width,
    }
}

#[test]
fn frames_come_encoded_at_the_asked_width_and_are_cached() {
    let cache = FrameCache::new(4 << 20);
    let full = cache.get(&sample(), &key(100, None)).expect("frame");
    assert_eq!((full.width, full.height), (640, 360));
    assert_eq!(&full.jpeg[..2], &[0xFF, 0xD8], "a JPEG");
    let thumb = cache
        .get(&sample(), &key(100, Some(160)))
        .expect("thumbnail");
    assert_eq!((thumb.width, thumb.height), (160, 90));
    assert!(thumb.jpeg.len() < full.jpeg.len());
    let again = cache.get(&sample(), &key(100, None)).expect("frame");
    assert!(Arc::ptr_eq(&full, &again), "served from the cache");
    assert_eq!(cache.bytes(), full.jpeg.len() + thumb.jpeg.len());
    // Another frame is another picture.
    let other = cache.get(&sample(), &key(300, None)).expect("frame");
    assert_ne!(other.jpeg, full.jpeg);
}

#[test]
fn a_frame_past_the_end_is_an_error_naming_the_file() {
    let cache = FrameCache::new(1 << 20);
    let err = cache
        .get(&sample(), &key(1_000_000, None))
        .expect_err("no such frame");
    assert!(err.to_string().contains("bbb-sky.mp4"), "{err}");
    assert_eq!(cache.bytes(), 0);
}

#[test]
fn frames_decoded_at_once_on_many_threads_are_the_frames_decoded_one_by_one() {
    let frames: Vec<u64> = (0..12).map(|i| 20 + 25 * i).collect();
    let one_by_one = FrameCache::new(64 << 20);
    let expected: Vec<Vec<u8>> = frames
        .iter()
        .map(|&f| {
            one_by_one
                .get(&sample(), &key(f, Some(160)))
                .expect("frame")
                .jpeg
                .clone()
        })
        .collect();
    let at_once = Arc::new(FrameCache::new(64 << 20));
    let handles: Vec<_> = frames
        .iter()
        .map(|&f| {
            let cache = at_once.clone();
            std::thread::spawn(move || {
                cache
                    .get(&sample(), &key(f, Some(160)))
                    .expect("frame")
                    .jpeg
                    .clone()
            })
        })
        .collect();
    for (want, handle) in expected.iter().zip(handles) {
        assert_eq!(&handle.join().expect("thread"), want);
    }
}

#[test]
fn one_frame_asked_for_at_once_by_many_is_decoded_once() {
    // The window and the prefetch of the next pair often want the same
    // frame at the same moment.
    let cache = Arc::new(FrameCache::new(64 << 20));
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let cache = cache.clone();
            std::thread::spawn(move || cache.get(&sample(), &key(250, None)).expect("frame"))
        })
        .collect();
    let frames: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    assert_eq!(cache.decodes(), 1);
    assert!(frames.iter().all(|f| Arc::ptr_eq(f, &frames[0])));
    cache.get(&sample(), &key(251, None)).expect("frame");
    assert_eq!(cache.decodes(), 2);
}
