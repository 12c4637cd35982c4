//! The reference's log-probabilities on disk: computed once, in the
//! reference's pass over a text, then streamed position by position while
//! each variant runs, so no model holds more than one window of them
//! (llama.cpp's `--kl-divergence-base` file plays this part there).
//!
//! Layout (little-endian): the magic `KSREFLP1`, the vocabulary size
//! (u32), the plan's fingerprint (u64), the number of positions (u64,
//! written last, so a file cut short by a crash reads as incomplete), then
//! each compared position's `vocab` log-probabilities as f32. The file is
//! `positions x vocab x 4` bytes: 4096 positions of a 49k vocabulary are
//! 0.8 GB; the study prints the size before it starts.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::StudyError;

const MAGIC: &[u8; 8] = b"KSREFLP1";
const HEADER: u64 = 8 + 4 + 8 + 8;

/// Bytes a reference file of `positions` over `vocab` takes.
pub fn file_bytes(positions: usize, vocab: usize) -> u64 {
    HEADER + positions as u64 * vocab as u64 * 4
}

/// Writes the reference's rows, then the count that makes the file whole.
pub struct ReferenceWriter {
    path: PathBuf,
    out: BufWriter<File>,
    vocab: usize,
    written: u64,
}

impl ReferenceWriter {
    /// Starts a file at `path` (replacing one there).
    pub fn create(path: &Path, vocab: usize, fingerprint: u64) -> Result<Self, StudyError> {
        let io = StudyError::io(path);
        let mut out = BufWriter::with_capacity(1 << 20, File::create(path).map_err(&io)?);
        out.write_all(MAGIC).map_err(&io)?;
        out.write_all(&(vocab as u32).to_le_bytes()).map_err(&io)?;
        out.write_all(&fingerprint.to_le_bytes()).map_err(&io)?;
        out.write_all(&0u64.to_le_bytes()).map_err(&io)?;
        Ok(Self { path: path.to_path_buf(), out, vocab, written: 0 })
    }

    /// Appends one position's log-probabilities.
    pub fn push(&mut self, log_probs: &[f64]) -> Result<(), StudyError> {
        if log_probs.len() != self.vocab {
            return Err(StudyError::Mismatch(format!(
                "a reference row of {} values for a vocabulary of {}",
                log_probs.len(),
                self.vocab
            )));
        }
        let mut bytes = Vec::with_capacity(self.vocab * 4);
        for &x in log_probs {
            bytes.extend_from_slice(&(x as f32).to_le_bytes());
        }
        self.out.write_all(&bytes).map_err(StudyError::io(&self.path))?;
        self.written += 1;
        Ok(())
    }

    /// Writes the count and closes the file.
    pub fn finish(mut self) -> Result<u64, StudyError> {
        let io = StudyError::io(&self.path);
        self.out.flush().map_err(&io)?;
        let mut file = self.out.into_inner().map_err(|e| StudyError::io(&self.path)(e.into_error()))?;
        file.seek(SeekFrom::Start(HEADER - 8)).map_err(&io)?;
        file.write_all(&self.written.to_le_bytes()).map_err(&io)?;
        file.sync_all().map_err(&io)?;
        Ok(self.written)
    }
}

/// Reads a finished reference file row by row.
pub struct ReferenceReader {
    path: PathBuf,
    input: BufReader<File>,
    vocab: usize,
    fingerprint: u64,
    positions: u64,
    read: u64,
    row: Vec<f32>,
}

impl ReferenceReader {
    /// Opens `path`; `None` when there is no such file.
    pub fn open(path: &Path) -> Result<Option<Self>, StudyError> {
        let io = StudyError::io(path);
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        let len = file.metadata().map_err(&io)?.len();
        let mut input = BufReader::with_capacity(1 << 20, file);
        let mut head = [0u8; HEADER as usize];
        if len < HEADER || input.read_exact(&mut head).is_err() || &head[..8] != MAGIC {
            return Err(StudyError::Mismatch(format!("{}: not a kaoshi reference file", path.display())));
        }
        let vocab = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes")) as usize;
        let fingerprint = u64::from_le_bytes(head[12..20].try_into().expect("8 bytes"));
        let positions = u64::from_le_bytes(head[20..28].try_into().expect("8 bytes"));
        let reader =
            Self { path: path.to_path_buf(), input, vocab, fingerprint, positions, read: 0, row: vec![0.0; vocab] };
        if len != file_bytes(positions as usize, vocab) {
            return Err(StudyError::Mismatch(format!(
                "{}: {len} bytes, but its header promises {positions} rows of {vocab}",
                path.display()
            )));
        }
        Ok(Some(reader))
    }

    /// The fingerprint of the plan it was written for.
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Vocabulary size.
    pub fn vocab(&self) -> usize {
        self.vocab
    }

    /// Rows in the file.
    pub fn positions(&self) -> u64 {
        self.positions
    }

    /// The next row.
    pub fn next_row(&mut self) -> Result<&[f32], StudyError> {
        if self.read >= self.positions {
            return Err(StudyError::Mismatch(format!(
                "{}: asked for row {} of {}",
                self.path.display(),
                self.read + 1,
                self.positions
            )));
        }
        let mut bytes = vec![0u8; self.vocab * 4];
        self.input.read_exact(&mut bytes).map_err(StudyError::io(&self.path))?;
        for (v, b) in self.row.iter_mut().zip(bytes.chunks_exact(4)) {
            *v = f32::from_le_bytes(b.try_into().expect("4 bytes"));
        }
        self.read += 1;
        Ok(&self.row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_come_back_and_a_torn_file_is_refused() {
        let dir = std::env::temp_dir().join(format!("kaoshi-ref-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ref.bin");
        let mut w = ReferenceWriter::create(&path, 3, 42).unwrap();
        w.push(&[-0.5, -1.0, -2.0]).unwrap();
        w.push(&[-0.1, -3.0, -4.0]).unwrap();
        assert!(w.push(&[0.0]).is_err(), "a row of the wrong width");
        assert_eq!(w.finish().unwrap(), 2);
        let mut r = ReferenceReader::open(&path).unwrap().unwrap();
        assert_eq!((r.vocab(), r.positions(), r.fingerprint()), (3, 2, 42));
        assert_eq!(r.next_row().unwrap(), &[-0.5, -1.0, -2.0]);
        assert_eq!(r.next_row().unwrap(), &[-0.1, -3.0, -4.0]);
        assert!(r.next_row().is_err(), "past the end");
        // Cut the last row short: the length no longer matches the header.
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 4]).unwrap();
        assert!(ReferenceReader::open(&path).is_err());
        // A writer that never finished leaves a count of 0 and rows after it.
        let mut w = ReferenceWriter::create(&path, 3, 1).unwrap();
        w.push(&[-0.5, -1.0, -2.0]).unwrap();
        drop(w);
        assert!(ReferenceReader::open(&path).is_err());
        assert!(ReferenceReader::open(&dir.join("none")).unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
