//! The loopback media server: 127.0.0.1 only, nothing without the
//! session's secret, nothing but rendered clips, byte ranges answered
//! exactly, and requests served while a scan runs beside it.

mod common;

use common::*;
use matchcut::playback::{ClipCache, MediaServer, Span};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("matchcut-server-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// A cache holding one short rendered clip, and that clip's id and bytes.
fn one_clip(name: &str) -> (Arc<ClipCache>, String, Vec<u8>) {
    let cache = Arc::new(ClipCache::new(scratch(name), 1 << 30));
    let span = |file: &str, first, last| Span {
        path: fixture(file),
        content_hash: file.into(),
        first,
        last,
    };
    let clip = cache
        .get(
            &span("cfr_23976.mp4", 10, 20),
            &span("with_audio.mp4", 0, 12),
        )
        .expect("render");
    let bytes = std::fs::read(cache.file(&clip.id).unwrap()).unwrap();
    (cache, clip.id, bytes)
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        let found = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request, written by hand so the path goes out unchanged.
fn request(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut text =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

fn get(port: u16, path: &str) -> Reply {
    request(port, "GET", path, &[])
}

#[test]
fn nothing_is_served_without_the_secret_and_nothing_but_clips() {
    let (cache, id, bytes) = one_clip("refusals");
    let server = MediaServer::start(cache, vec!["tauri://localhost".into()]).unwrap();
    let (port, secret) = (server.port(), server.secret().to_string());
    assert!(server
        .base_url()
        .starts_with(&format!("http://127.0.0.1:{port}/")));
    assert_eq!(secret.len(), 64, "32 random bytes");

    let ok = get(port, &format!("/{secret}/clip/{id}.mp4"));
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body, bytes);
    assert_eq!(ok.header("content-type"), Some("video/mp4"));
    assert_eq!(ok.header("accept-ranges"), Some("bytes"));

    let wrong = "0".repeat(64);
    for path in [
        format!("/clip/{id}.mp4"),
        format!("/{wrong}/clip/{id}.mp4"),
        format!("/{}/clip/{id}.mp4", &secret[..63]),
        "/".to_string(),
        format!("/{secret}"),
        format!("/{secret}/clip/../../../../etc/passwd"),
    ] {
        assert_eq!(get(port, &path).status, 403, "{path}");
    }
    for path in [
        format!("/{secret}/clip/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
        format!("/{secret}/clip/{id}.json"),
        format!("/{secret}/clip/{id}"),
        format!("/{secret}/clip/{}.mp4", "a".repeat(32)),
        format!("/{secret}/clip/{}.mp4", id.to_uppercase()),
    ] {
        let reply = get(port, &path);
        assert_eq!(reply.status, 404, "{path}");
        assert!(reply.body.len() < 100, "{path}: nothing of a file");
    }

    // The app's own page may read the pictures; another origin may not.
    let own = request(
        port,
        "GET",
        &format!("/{secret}/clip/{id}.mp4"),
        &[("Origin", "tauri://localhost")],
    );
    assert_eq!(
        own.header("access-control-allow-origin"),
        Some("tauri://localhost")
    );
    let other = request(
        port,
        "GET",
        &format!("/{secret}/clip/{id}.mp4"),
        &[("Origin", "http://example.com")],
    );
    assert_eq!(other.header("access-control-allow-origin"), None);
}

#[test]
fn byte_ranges_are_answered_exactly_or_refused_cleanly() {
    let (cache, id, bytes) = one_clip("ranges");
    let server = MediaServer::start(cache, Vec::new()).unwrap();
    let path = format!("/{}/clip/{id}.mp4", server.secret());
    let len = bytes.len();
    let range = |spec: &str| request(server.port(), "GET", &path, &[("Range", spec)]);

    let middle = range("bytes=100-199");
    assert_eq!(middle.status, 206);
    assert_eq!(
        middle.header("content-range"),
        Some(format!("bytes 100-199/{len}").as_str())
    );
    assert_eq!(middle.body, bytes[100..200]);

    let tail = range("bytes=-50");
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body, bytes[len - 50..]);
    let open = range(&format!("bytes={}-", len - 10));
    assert_eq!(
        (open.status, open.body.as_slice()),
        (206, &bytes[len - 10..])
    );

    let past = range(&format!("bytes={len}-"));
    assert_eq!(past.status, 416);
    assert_eq!(
        past.header("content-range"),
        Some(format!("bytes */{len}").as_str())
    );
    assert!(past.body.len() < 100);

    let several = range("bytes=0-9,20-29");
    assert!(
        several.status == 416 || (several.status == 200 && several.body == bytes),
        "several ranges: refused or the whole file, got {}",
        several.status
    );
    let head = request(server.port(), "HEAD", &path, &[]);
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-length"),
        Some(len.to_string().as_str())
    );
    assert!(head.body.is_empty());
}

#[test]
fn clips_are_served_while_a_scan_runs() {
    let (cache, id, bytes) = one_clip("scan");
    let server = MediaServer::start(cache, Vec::new()).unwrap();
    let path = format!("/{}/clip/{id}.mp4", server.secret());
    let titles = scratch("scan-titles");
    for name in ["cfr_23976.mp4", "library_b.mp4", "cfr_25_prores.mov"] {
        std::fs::copy(fixture(name), titles.join(name)).unwrap();
    }
    let library = scratch("scan-library");
    let mut scan = matchcut()
        .args([
            "scan",
            &titles.to_string_lossy(),
            "--library",
            &library.to_string_lossy(),
        ])
        .env("MATCHCUT_PREPROCESS", "cpu")
        .env("MATCHCUT_DEVICE", "cpu")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("scan");
    let port = server.port();
    // Four clients read ranges for as long as the scan runs.
    let scanning = std::sync::atomic::AtomicBool::new(true);
    let (served, status) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let (path, bytes, scanning) = (&path, &bytes, &scanning);
                scope.spawn(move || {
                    let mut n = 0;
                    while scanning.load(std::sync::atomic::Ordering::Relaxed) || n < 10 {
                        let start = (w * 997 + n * 131) % (bytes.len() - 4096);
                        let spec = format!("bytes={start}-{}", start + 4095);
                        let reply = request(port, "GET", path, &[("Range", spec.as_str())]);
                        assert_eq!(reply.status, 206);
                        assert_eq!(reply.body, bytes[start..start + 4096]);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        let status = scan.wait().unwrap();
        scanning.store(false, std::sync::atomic::Ordering::Relaxed);
        let served: Vec<usize> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        (served, status)
    });
    assert!(status.success(), "the scan ran beside the server");
    assert!(served.iter().all(|&n| n >= 10), "{served:?}");
    let library_titles = std::fs::read_dir(library.join(".matchcut"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert!(library_titles > 0, "the scan wrote its library");
}
