//! Suites not on disk: fetched from their published locations into a cache,
//! every file checked against the sha256 pinned in [`kaoshi_eval::sources`].
//!
//! The cache is `$KAOSHI_CACHE`, else `$XDG_CACHE_HOME/kaoshi`, else
//! `~/.cache/kaoshi`; a suite's files lie at `<cache>/suites/<suite>/<rel_path>`,
//! the layout its loader reads. A cached file is used when its sha256 is the
//! pinned one; otherwise it is downloaded to a temporary file beside its
//! place, hashed while it is written, and renamed into place only when the
//! hash matches (a mismatch removes the download and names the URL and both
//! hashes). Offline, nothing is downloaded.
//!
//! `$KAOSHI_SOURCE_BASE` (or [`Fetcher::with_base`]) names a mirror laid out
//! like the cache's `suites/` folder: the file is fetched from
//! `<base>/<suite>/<rel_path>` instead of its published URL, and the same pin
//! is checked. Tests point it at a loopback server.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use kaoshi_eval::sources::{SourceFile, SuiteSource};
use sha2::{Digest, Sha256};

use crate::progress::bar;

/// The most bytes one published file may have (a guard against a server
/// that never stops sending; the largest pinned file has a few MB).
const MAX_FILE_BYTES: u64 = 1 << 30;

/// Why a suite's files could not be had.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// No cache folder: none of the variables that name one is set.
    #[error("no cache folder for downloaded suites: set KAOSHI_CACHE (or XDG_CACHE_HOME or HOME), or give --data PATH")]
    NoCacheDir,
    /// Offline and the file is not in the cache (or differs from its pin).
    #[error(
        "suite {suite}: {rel_path} is {why} ({path}) and --offline forbids downloading it; run without --offline or give --data PATH"
    )]
    Offline {
        /// The suite.
        suite: String,
        /// The file inside the suite's folder.
        rel_path: String,
        /// Its place in the cache.
        path: PathBuf,
        /// "not in the cache" or what is wrong with the cached copy.
        why: String,
    },
    /// The download failed.
    #[error("downloading {url}: {message} (to use files you have, give --data PATH)")]
    Http {
        /// What was fetched.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The downloaded bytes are not the pinned ones; the download was removed.
    #[error("sha256 mismatch for {url}: expected {expected}, got {actual}; the download was discarded")]
    Mismatch {
        /// What was fetched.
        url: String,
        /// The pinned sha256.
        expected: String,
        /// The sha256 of what arrived.
        actual: String,
    },
    /// Reading or writing the cache failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FetchError + '_ {
    move |source| FetchError::Io { path: path.to_path_buf(), source }
}

/// Resolves suites to folders in the cache, downloading what is missing.
#[derive(Debug, Clone)]
pub struct Fetcher {
    cache: PathBuf,
    offline: bool,
    base: Option<String>,
}

impl Fetcher {
    /// A fetcher over the cache folder `cache` (the folder holding `suites/`).
    pub fn new(cache: impl Into<PathBuf>, offline: bool) -> Self {
        Self { cache: cache.into(), offline, base: None }
    }

    /// The cache and mirror the environment names (see the module doc).
    pub fn from_env(offline: bool) -> Result<Self, FetchError> {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let cache = var("KAOSHI_CACHE")
            .or_else(|| var("XDG_CACHE_HOME").map(|x| x.join("kaoshi")))
            .or_else(|| var("HOME").map(|h| h.join(".cache").join("kaoshi")))
            .ok_or(FetchError::NoCacheDir)?;
        let base = std::env::var("KAOSHI_SOURCE_BASE").ok().filter(|b| !b.is_empty());
        Ok(Self::new(cache, offline).with_base(base))
    }

    /// Fetches from the mirror at `base` (`<base>/<suite>/<rel_path>`)
    /// instead of the published URLs.
    pub fn with_base(mut self, base: Option<String>) -> Self {
        self.base = base;
        self
    }

    /// The folder of suite `suite` in the cache.
    pub fn suite_dir(&self, suite: &str) -> PathBuf {
        self.cache.join("suites").join(suite)
    }

    /// Makes every file of `src` present in the cache with its pinned sha256
    /// and returns the suite's folder there. The licence note goes to stderr
    /// before the suite's first download.
    pub fn fetch(&self, src: &SuiteSource) -> Result<PathBuf, FetchError> {
        let dir = self.suite_dir(src.suite);
        let mut announced = false;
        for f in src.files {
            let path = dir.join(f.rel_path);
            let why = match cached_sha256(&path)? {
                Some(h) if h == f.sha256 => continue,
                Some(h) => format!("in the cache with sha256 {h}, not the pinned {}", f.sha256),
                None => "not in the cache".to_string(),
            };
            if self.offline {
                return Err(FetchError::Offline {
                    suite: src.suite.to_string(),
                    rel_path: f.rel_path.to_string(),
                    path,
                    why,
                });
            }
            if !announced {
                eprintln!("fetching suite {} into {}: {}", src.suite, dir.display(), src.licence);
                announced = true;
            }
            self.download(src.suite, f, &path)?;
        }
        Ok(dir)
    }

    /// Where `f` of `suite` is fetched from.
    fn url(&self, suite: &str, f: &SourceFile) -> String {
        match &self.base {
            Some(b) => format!("{}/{}/{}", b.trim_end_matches('/'), encode_path(suite), encode_path(f.rel_path)),
            None => f.url.to_string(),
        }
    }

    /// Downloads `f` to a temporary file beside `path`, checks its sha256
    /// and renames it into place.
    fn download(&self, suite: &str, f: &SourceFile, path: &Path) -> Result<(), FetchError> {
        let url = self.url(suite, f);
        let http = |e: ureq::Error| FetchError::Http { url: url.clone(), message: e.to_string() };
        let parent = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io(parent))?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(30)))
            .timeout_per_read(Some(Duration::from_secs(60)))
            .build()
            .into();
        let mut resp = agent.get(&url).call().map_err(http)?;
        let body = resp.body_mut();
        let pb = bar(body.content_length().unwrap_or(0), f.rel_path);
        let mut reader = body.with_config().limit(MAX_FILE_BYTES).reader();

        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("download");
        let tmp = TempFile(parent.join(format!(".{name}.part-{}", std::process::id())));
        let mut out = File::create(&tmp.0).map_err(io(&tmp.0))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = reader.read(&mut buf).map_err(|e| FetchError::Http { url: url.clone(), message: e.to_string() })?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(io(&tmp.0))?;
            pb.inc(n as u64);
        }
        out.sync_all().map_err(io(&tmp.0))?;
        drop(out);
        pb.finish_and_clear();
        let actual = hex(&hasher.finalize());
        if actual != f.sha256 {
            return Err(FetchError::Mismatch { url, expected: f.sha256.to_string(), actual });
        }
        // After the rename, dropping `tmp` finds nothing left to remove.
        std::fs::rename(&tmp.0, path).map_err(io(path))
    }
}

/// A download in progress; removed unless renamed into place.
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The sha256 of the file at `path`, or `None` when there is none.
fn cached_sha256(path: &Path) -> Result<Option<String>, FetchError> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(FetchError::Io { path: path.to_path_buf(), source: e }),
    };
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(io(path))?;
    Ok(Some(hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Percent-encodes a relative path for a URL, keeping `/` and the
/// unreserved characters.
fn encode_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for &b in p.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mirror_urls_are_percent_encoded() {
        let f =
            SourceFile { rel_path: "dev/Chinese-Arts & Humanities-High school.jsonl", url: "https://x/y", sha256: "" };
        let fetcher = Fetcher::new("/c", false).with_base(Some("http://127.0.0.1:9/".into()));
        assert_eq!(
            fetcher.url("m3ke", &f),
            "http://127.0.0.1:9/m3ke/dev/Chinese-Arts%20%26%20Humanities-High%20school.jsonl"
        );
        assert_eq!(Fetcher::new("/c", false).url("m3ke", &f), "https://x/y");
        assert_eq!(Fetcher::new("/c", false).suite_dir("m3ke"), Path::new("/c/suites/m3ke"));
    }
}
