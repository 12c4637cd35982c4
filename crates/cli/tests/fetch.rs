//! `kaoshi eval` without `--data`: suites fetched from a loopback mirror of
//! ../shared/data into a temporary cache, pinned by sha256, reused offline.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

fn shared() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(p.join("data").is_dir(), "the shared data is missing: expected {}", p.display());
    p
}

fn stories() -> String {
    shared().join("fixtures/models/stories260K/stories260K.gguf").to_str().expect("path").to_string()
}

fn temp(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fetch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// A loopback HTTP/1.1 server serving `root/<suite folder>` as
/// `/<suite>/<rel_path>`, one request at a time; it stops when dropped or
/// after two minutes, whichever comes first.
struct Mirror {
    base: String,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Mirror {
    /// Serves suite `suite` from `../shared/data/<folder>`; with `corrupt`,
    /// the last byte of every file is changed.
    fn start(suite: &'static str, folder: &str, corrupt: bool) -> Self {
        let root = shared().join("data").join(folder);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (req, st) = (requests.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(120);
            while !st.load(Ordering::SeqCst) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((stream, _)) => {
                        req.fetch_add(1, Ordering::SeqCst);
                        let _ = serve(stream, suite, &root, corrupt);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Self { base, requests, stop, thread: Some(thread) }
    }
}

impl Drop for Mirror {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(stream: TcpStream, suite: &str, root: &Path, corrupt: bool) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("");
    let body = target
        .strip_prefix(&format!("/{suite}/"))
        .map(percent_decode)
        .filter(|rel| !rel.split('/').any(|seg| seg == ".." || seg.is_empty()))
        .and_then(|rel| std::fs::read(root.join(rel)).ok());
    let mut out = stream;
    match body {
        Some(mut bytes) => {
            if let (true, Some(last)) = (corrupt, bytes.last_mut()) {
                *last ^= 0x20;
            }
            write!(out, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", bytes.len())?;
            out.write_all(&bytes)?;
        }
        None => write!(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")?,
    }
    out.flush()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = if b[i] == b'%' { s.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok()) } else { None };
        if let Some(v) = hex {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs kaoshi with the cache at `cache` and the mirror at `base` (none:
/// the variable is unset), proxies cleared.
fn kaoshi(args: &[&str], cache: &Path, base: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kaoshi"));
    cmd.args(args).env("KAOSHI_CACHE", cache).env_remove("KAOSHI_SOURCE_BASE");
    for k in ["http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] {
        cmd.env_remove(k);
    }
    if let Some(b) = base {
        cmd.env("KAOSHI_SOURCE_BASE", b);
    }
    cmd.output().expect("run kaoshi")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() { out.extend(files_under(&p)) } else { out.push(p) }
        }
    }
    out
}

fn sha256_hex(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("read");
    Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn eval_fetches_into_the_cache_then_runs_offline() {
    let tmp = temp("ok");
    let cache = tmp.join("cache");
    let out1 = tmp.join("out1");
    let src = kaoshi_eval::sources::find("cmath").expect("cmath is pinned");
    let mirror = Mirror::start("cmath", "cmath", false);
    let model = stories();
    let args = |out: &Path, offline: bool| -> Vec<String> {
        let mut a: Vec<String> = ["eval", "--suite", "cmath", "--limit", "3", "--model", &model, "--output"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.push(out.to_str().expect("p").to_string());
        if offline {
            a.push("--offline".into());
        }
        a
    };
    let a1 = args(&out1, false);
    let first = kaoshi(&a1.iter().map(String::as_str).collect::<Vec<_>>(), &cache, Some(&mirror.base));
    assert!(first.status.success(), "first run failed: {}", stderr(&first));
    let err = stderr(&first);
    assert!(err.contains(src.licence), "the licence note was not shown: {err}");
    assert_eq!(mirror.requests.load(Ordering::SeqCst), src.files.len());
    for f in src.files {
        let p = cache.join("suites/cmath").join(f.rel_path);
        assert_eq!(sha256_hex(&p), f.sha256, "{}", p.display());
    }
    assert_eq!(files_under(&cache).len(), src.files.len(), "stray files in the cache: {:?}", files_under(&cache));
    drop(mirror);

    // Server gone, --offline: the cache alone serves, and nothing is announced.
    let out2 = tmp.join("out2");
    let a2 = args(&out2, true);
    let second = kaoshi(&a2.iter().map(String::as_str).collect::<Vec<_>>(), &cache, Some("http://127.0.0.1:9"));
    assert!(second.status.success(), "offline run failed: {}", stderr(&second));
    assert!(!stderr(&second).contains(src.licence));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out2.join("results.json")).expect("results")).expect("json");
    assert_eq!(r["n-samples"]["cmath"]["effective"], 3);
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn a_corrupted_download_is_refused_and_removed() {
    let tmp = temp("corrupt");
    let cache = tmp.join("cache");
    let mirror = Mirror::start("cmath", "cmath", true);
    let out = tmp.join("out");
    let run = kaoshi(
        &["eval", "--suite", "cmath", "--limit", "3", "--model", &stories(), "--output", out.to_str().expect("p")],
        &cache,
        Some(&mirror.base),
    );
    let err = stderr(&run);
    assert!(!run.status.success(), "a corrupted file was accepted");
    let last = err.lines().last().unwrap_or("");
    assert!(last.starts_with("error: ") && !err.contains("panicked"), "{err}");
    let pin = kaoshi_eval::sources::find("cmath").expect("cmath").files[0].sha256;
    assert!(err.contains("sha256") && err.contains(pin) && err.contains(&mirror.base), "{err}");
    assert!(files_under(&cache).is_empty(), "left in the cache: {:?}", files_under(&cache));
    assert!(!out.join("results.json").exists());
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn offline_without_a_cached_suite_names_the_missing_file() {
    let tmp = temp("offline");
    let cache = tmp.join("cache");
    let out = tmp.join("out");
    for (suite, file) in [("cmath", "cmath_dev.jsonl"), ("cmmlu", "dev/agronomy.csv")] {
        let run = kaoshi(&["eval", "--suite", suite, "--offline", "--output", out.to_str().expect("p")], &cache, None);
        let err = stderr(&run);
        assert!(!run.status.success());
        assert!(err.starts_with("error: ") && !err.contains("panicked"), "{err}");
        assert!(err.contains(file) && err.contains("--offline") && err.contains("--data"), "{err}");
    }
    assert!(files_under(&cache).is_empty());
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn a_cached_file_that_differs_from_its_pin_is_fetched_again() {
    let tmp = temp("stale");
    let cache = tmp.join("cache");
    let path = cache.join("suites/cmath/cmath_dev.jsonl");
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    std::fs::write(&path, b"{}\n").expect("write");
    let out = tmp.join("out");
    let args =
        ["eval", "--suite", "cmath", "--limit", "1", "--model", &stories(), "--output", out.to_str().expect("p")];
    let mut offline = args.to_vec();
    offline.push("--offline");
    let err = stderr(&kaoshi(&offline, &cache, None));
    assert!(err.contains("not the pinned"), "{err}");
    let mirror = Mirror::start("cmath", "cmath", false);
    let run = kaoshi(&args, &cache, Some(&mirror.base));
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(sha256_hex(&path), kaoshi_eval::sources::find("cmath").expect("cmath").files[0].sha256);
    let _ = std::fs::remove_dir_all(&tmp);
}

#[test]
fn file_names_with_spaces_and_ampersands_are_fetched() {
    let tmp = temp("m3ke");
    let cache = tmp.join("cache");
    let src = kaoshi_eval::sources::find("m3ke").expect("m3ke is pinned");
    let mirror = Mirror::start("m3ke", "m3ke", false);
    let out = tmp.join("out");
    let run = kaoshi(
        &["eval", "--suite", "m3ke", "--limit", "2", "--model", &stories(), "--output", out.to_str().expect("p")],
        &cache,
        Some(&mirror.base),
    );
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(mirror.requests.load(Ordering::SeqCst), src.files.len());
    assert_eq!(files_under(&cache).len(), src.files.len());
    let _ = std::fs::remove_dir_all(&tmp);
}
