//! Damaged files never panic: bytes of real fixtures are overwritten at
//! deterministic pseudo-random places, then probed, decoded and seeked. Each
//! call must return frames or a `MediaError` naming the file.

mod common;

use common::*;
use matchcut::media::{self, DecodeMode, Decoder, ToRgb};
use std::path::Path;

/// xorshift64*: a fixed sequence, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

fn damaged_copy(source: &Path, seed: u64, dir: &Path) -> std::path::PathBuf {
    let mut bytes = std::fs::read(source).expect("read fixture");
    let mut rng = Rng(seed);
    // Keep the first bytes so the container is still recognised often.
    let start = 64.min(bytes.len());
    for _ in 0..24 {
        let at = start + (rng.next() as usize) % (bytes.len() - start);
        let run = 1 + (rng.next() as usize) % 16;
        for b in bytes.iter_mut().skip(at).take(run) {
            *b = rng.next() as u8;
        }
    }
    let name = format!(
        "{seed}-{}",
        source.file_name().and_then(|n| n.to_str()).unwrap_or("x")
    );
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write damaged copy");
    path
}

fn exercise(path: &Path) {
    let info = match media::probe(path) {
        Ok(info) => info,
        Err(e) => {
            assert_eq!(e.path(), path);
            return;
        }
    };
    let rotation = info.rotation;
    let count = info.frame_count;
    if let Ok(decoder) = Decoder::open(path, info.clone(), DecodeMode::Full) {
        for frame in decoder.take(400) {
            match frame {
                Ok(f) => assert!(f.index < count),
                Err(e) => {
                    assert_eq!(e.path(), path);
                    break;
                }
            }
        }
    }
    if let Ok(mut decoder) = Decoder::open(path, info, DecodeMode::Full) {
        for index in [count / 2, 0, count.saturating_sub(1)] {
            if let Ok(frame) = decoder.seek_frame(index) {
                assert_eq!(frame.index, index);
                let _ = frame.frame.to_rgb(rotation);
            }
        }
    }
}

#[test]
fn damaged_files_give_frames_or_errors_never_panics() {
    matchcut::init_ffmpeg(true);
    let dir = std::env::temp_dir().join(format!("matchcut-damaged-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let sources = [
        "cfr_23976.mp4",
        "cfr_24.mkv",
        "open_gop.ts",
        "cfr_25_mpeg2.mxf",
        "vp9_odd_size.webm",
        "hevc_10bit.mp4",
    ];
    for (i, name) in sources.iter().enumerate() {
        for seed in 0..4u64 {
            let path = damaged_copy(&fixture(name), 1 + seed * 7919 + i as u64, &dir);
            exercise(&path);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
