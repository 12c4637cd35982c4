//! Where a GGUF file's bytes come from: a file on disk ([`FileSource`]) or a
//! buffer in memory ([`MemorySource`], e.g. a model the browser fetched).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Random-access bytes of known length. [`crate::GgufFile`] reads its header
/// and, later, each tensor's payload through this; every offset it asks for
/// has already been checked against [`ByteSource::len`].
pub trait ByteSource: Send + Sync {
    /// The number of bytes.
    fn len(&self) -> u64;

    /// Whether there are no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fills `buf` with the bytes at `offset..offset + buf.len()`; an
    /// `UnexpectedEof` error when that range is not inside the source.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()>;
}

/// An open file. Its length is taken when it is opened.
#[derive(Debug)]
pub struct FileSource {
    file: Mutex<File>,
    len: u64,
}

impl FileSource {
    /// Opens `path` for reading.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = File::open(path)?;
        let len = file.metadata()?.len();
        Ok(Self { file: Mutex::new(file), len })
    }
}

impl ByteSource for FileSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        // A poisoned lock only means another reader panicked mid-read; the
        // next read seeks anyway.
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(buf)
    }
}

/// Bytes in memory, shared without copying.
#[derive(Debug, Clone)]
pub struct MemorySource {
    bytes: Arc<[u8]>,
}

impl MemorySource {
    /// Wraps `bytes` (a `Vec<u8>` moves in; an `Arc<[u8]>` is shared).
    pub fn new(bytes: impl Into<Arc<[u8]>>) -> Self {
        Self { bytes: bytes.into() }
    }

    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl ByteSource for MemorySource {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        read_slice(&self.bytes, offset, buf)
    }
}

/// An owned buffer is a source too (no copy into an `Arc` needed, which
/// matters for a model of gigabytes in a browser's 4 GiB address space).
impl ByteSource for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        read_slice(self, offset, buf)
    }
}

fn read_slice(bytes: &[u8], offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
    let range = usize::try_from(offset)
        .ok()
        .and_then(|start| Some(start..start.checked_add(buf.len())?))
        .filter(|r| r.end <= bytes.len());
    let Some(range) = range else {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("bytes {offset}..+{} are past the end of {} bytes in memory", buf.len(), bytes.len()),
        ));
    };
    buf.copy_from_slice(&bytes[range]);
    Ok(())
}
