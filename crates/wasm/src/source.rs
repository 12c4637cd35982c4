//! Model bytes read where they lie, one piece at a time, so that a model
//! never sits in wasm memory as a whole: a `Blob` or `File` (through
//! `FileReaderSync`) or a URL (through synchronous HTTP range requests). The header is read in windows
//! and each tensor's bytes once, on their way to the backend (on WebGPU,
//! into a GPU buffer), so the wasm heap holds at most one tensor's bytes:
//! models larger than an `ArrayBuffer` (2 GiB in practice) or than wasm32's
//! 4 GiB address space load on WebGPU.
//!
//! `ByteSource` must be `Send + Sync` (native sources are shared across
//! threads); JS handles are neither, so the readers stay in a thread-local
//! table and the source holds only their key ([`JsSource`]).
//!
//! Both read synchronously, which browsers allow only in workers
//! (`FileReaderSync` exists only there; synchronous `XMLHttpRequest` with
//! binary responses too): in a page they fail with a message saying so.
//! [`Progress`] reports the bytes read so far.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::io;

use js_sys::Uint8Array;
use kaoshi_formats::ByteSource;
use wasm_bindgen::{JsCast, JsValue};

/// Calls a JS function with (bytes read so far, total bytes) as a source is
/// read.
pub(crate) struct Progress {
    callback: Option<js_sys::Function>,
    loaded: Cell<u64>,
    total: u64,
}

impl Progress {
    pub(crate) fn new(callback: Option<js_sys::Function>, total: u64) -> Self {
        Self { callback, loaded: Cell::new(0), total }
    }

    fn add(&self, n: usize) {
        let loaded = (self.loaded.get() + n as u64).min(self.total);
        self.loaded.set(loaded);
        if let Some(f) = &self.callback {
            // A throwing progress callback does not stop the load.
            let _ = f.call2(&JsValue::NULL, &JsValue::from(loaded as f64), &JsValue::from(self.total as f64));
        }
    }
}

fn js_io(what: &str, e: &JsValue) -> io::Error {
    let detail = e.dyn_ref::<js_sys::Error>().map_or_else(|| format!("{e:?}"), |e| String::from(e.message()));
    io::Error::other(format!("{what}: {detail}"))
}

fn copy_exact(data: &JsValue, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    let bytes = Uint8Array::new(data);
    if bytes.length() as usize != buf.len() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            format!("asked for {} bytes at offset {offset}, got {}", buf.len(), bytes.length()),
        ));
    }
    bytes.copy_to(buf);
    Ok(())
}

/// Reads bytes from something in JS.
trait Reader {
    fn len(&self) -> u64;
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
}

thread_local! {
    static READERS: RefCell<HashMap<u64, Box<dyn Reader>>> = RefCell::new(HashMap::new());
    static NEXT_KEY: Cell<u64> = const { Cell::new(1) };
}

/// A [`ByteSource`] over a reader in this thread's table (removed when the
/// source is dropped).
pub(crate) struct JsSource {
    key: u64,
    len: u64,
}

impl JsSource {
    fn new(reader: Box<dyn Reader>) -> Self {
        let key = NEXT_KEY.with(|k| {
            let key = k.get();
            k.set(key + 1);
            key
        });
        let len = reader.len();
        READERS.with(|r| r.borrow_mut().insert(key, reader));
        Self { key, len }
    }

    /// A `Blob` (or `File`); fails outside a worker.
    pub(crate) fn blob(blob: web_sys::Blob, on_progress: Option<js_sys::Function>) -> Result<Self, String> {
        Ok(Self::new(Box::new(BlobReader::new(blob, on_progress)?)))
    }

    /// A URL served with range requests; fails outside a worker or when the
    /// server gives no length.
    pub(crate) fn url(url: String, on_progress: Option<js_sys::Function>) -> Result<Self, String> {
        Ok(Self::new(Box::new(UrlReader::new(url, on_progress)?)))
    }
}

impl Drop for JsSource {
    fn drop(&mut self) {
        READERS.with(|r| r.borrow_mut().remove(&self.key));
    }
}

impl ByteSource for JsSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        READERS.with(|r| match r.borrow().get(&self.key) {
            Some(reader) => reader.read_at(offset, buf),
            None => Err(io::Error::other("the model's source is gone (read from another thread?)")),
        })
    }
}

/// A `Blob` (or `File`), read by slices with `FileReaderSync`.
struct BlobReader {
    blob: web_sys::Blob,
    reader: web_sys::FileReaderSync,
    progress: Progress,
}

impl BlobReader {
    /// Fails outside a worker (no `FileReaderSync` there).
    fn new(blob: web_sys::Blob, on_progress: Option<js_sys::Function>) -> Result<Self, String> {
        let reader = web_sys::FileReaderSync::new().map_err(|_| {
            "reading a Blob piece by piece needs a Web Worker (FileReaderSync exists only there); \
             load its bytes instead, or use WorkerEngine"
                .to_string()
        })?;
        let total = blob.size() as u64;
        Ok(Self { blob, reader, progress: Progress::new(on_progress, total) })
    }
}

impl Reader for BlobReader {
    fn len(&self) -> u64 {
        self.progress.total
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let end = offset + buf.len() as u64;
        let slice = self.blob.slice_with_f64_and_f64(offset as f64, end as f64).map_err(|e| js_io("Blob.slice", &e))?;
        let data = self.reader.read_as_array_buffer(&slice).map_err(|e| js_io("FileReaderSync", &e))?;
        copy_exact(&data, offset, buf)?;
        self.progress.add(buf.len());
        Ok(())
    }
}

/// A model at a URL, read with synchronous range requests (`Range:
/// bytes=a-b`, answered `206 Partial Content`); its length from a `HEAD`
/// request's `Content-Length`.
struct UrlReader {
    url: String,
    progress: Progress,
}

impl UrlReader {
    /// Asks for the length; fails outside a worker, on an HTTP error, or
    /// when the server gives no length.
    fn new(url: String, on_progress: Option<js_sys::Function>) -> Result<Self, String> {
        let xhr = request("HEAD", &url).map_err(|e| e.to_string())?;
        let status = xhr.status().unwrap_or(0);
        if !(200..300).contains(&status) {
            return Err(format!("{url}: HTTP {status}"));
        }
        let total = xhr
            .get_response_header("Content-Length")
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .ok_or_else(|| {
                format!("{url}: the server gave no Content-Length, so the model cannot be read in ranges")
            })?;
        Ok(Self { url, progress: Progress::new(on_progress, total) })
    }
}

/// A finished synchronous request (`GET` asks for binary data).
fn request(method: &str, url: &str) -> io::Result<web_sys::XmlHttpRequest> {
    request_range(method, url, None)
}

fn request_range(method: &str, url: &str, range: Option<(u64, u64)>) -> io::Result<web_sys::XmlHttpRequest> {
    let xhr = web_sys::XmlHttpRequest::new().map_err(|e| js_io("XMLHttpRequest", &e))?;
    xhr.open_with_async(method, url, false).map_err(|e| js_io("XMLHttpRequest.open", &e))?;
    if let Some((start, end)) = range {
        xhr.set_request_header("Range", &format!("bytes={start}-{end}")).map_err(|e| js_io("Range header", &e))?;
        // Binary responses of synchronous requests are allowed only in workers.
        xhr.set_response_type(web_sys::XmlHttpRequestResponseType::Arraybuffer);
    }
    xhr.send().map_err(|e| {
        js_io(
            &format!("{method} {url} (synchronous requests with binary responses need a Web Worker; cross-origin servers must allow the Range header)"),
            &e,
        )
    })?;
    Ok(xhr)
}

impl Reader for UrlReader {
    fn len(&self) -> u64 {
        self.progress.total
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        let end = offset + buf.len() as u64 - 1;
        let xhr = request_range("GET", &self.url, Some((offset, end)))?;
        match xhr.status().unwrap_or(0) {
            206 => {}
            200 => {
                return Err(io::Error::other(format!(
                    "{}: the server ignored the Range header (HTTP 200 instead of 206): it cannot serve the model in pieces",
                    self.url
                )));
            }
            status => return Err(io::Error::other(format!("{}: HTTP {status} for bytes {offset}-{end}", self.url))),
        }
        let data = xhr.response().map_err(|e| js_io("XMLHttpRequest.response", &e))?;
        copy_exact(&data, offset, buf)?;
        self.progress.add(buf.len());
        Ok(())
    }
}
