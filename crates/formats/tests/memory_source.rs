//! A GGUF file read from memory (`GgufFile::from_bytes`, as in a browser)
//! must read exactly as the same file on disk: same header, same tensor
//! bytes, same errors. (`bad_gguf.rs` also opens every hostile file both ways.)

use std::path::{Path, PathBuf};
use std::sync::Arc;

use kaoshi_formats::{ByteSource, FormatError, GgufFile, MemorySource};

fn stories260k() -> PathBuf {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/models/stories260K/stories260K.gguf");
    assert!(
        path.is_file(),
        "this test needs the shared fixtures folder: missing {} (../shared from the repository root)",
        path.display()
    );
    path
}

#[test]
fn stories260k_from_memory_equals_from_disk() {
    let path = stories260k();
    let bytes = std::fs::read(&path).expect("read stories260K");
    let disk = GgufFile::open(&path).expect("open from disk");
    let mem = GgufFile::from_bytes("stories260K.gguf", bytes.clone()).expect("open from memory");
    assert_eq!(mem.path(), Path::new("stories260K.gguf"));
    assert_eq!(mem.version(), disk.version());
    assert_eq!(mem.file_len(), bytes.len() as u64);
    assert_eq!(mem.file_len(), disk.file_len());
    assert_eq!(mem.architecture(), Some("llama"));
    assert_eq!(mem.metadata().as_map().len(), disk.metadata().as_map().len());
    let mut keys: Vec<&String> = disk.metadata().as_map().keys().collect();
    keys.sort();
    for key in keys {
        assert_eq!(
            format!("{:?}", mem.metadata().get(key)),
            format!("{:?}", disk.metadata().get(key)),
            "metadata key {key}"
        );
    }
    assert_eq!(mem.tensors().len(), disk.tensors().len());
    for (m, d) in mem.tensors().iter().zip(disk.tensors()) {
        assert_eq!(
            (&m.name, m.dtype, &m.shape, m.offset, m.n_bytes),
            (&d.name, d.dtype, &d.shape, d.offset, d.n_bytes)
        );
        let mb = mem.read_tensor_bytes(&m.name).expect("tensor from memory");
        assert_eq!(mb, disk.read_tensor_bytes(&d.name).expect("tensor from disk"), "tensor {}", m.name);
        let start = m.offset as usize;
        assert_eq!(mb, bytes[start..start + m.n_bytes as usize], "tensor {} is not where the header says", m.name);
    }
    // A shared buffer works as well as an owned one.
    let shared: Arc<[u8]> = bytes.into();
    let again = GgufFile::from_bytes("shared", Arc::clone(&shared)).expect("open from an Arc");
    assert_eq!(again.tensors().len(), disk.tensors().len());
    // So does an owned Vec as a source, without a copy into an Arc.
    let owned = GgufFile::from_source("owned", Box::new(shared.to_vec())).expect("open from a Vec");
    let last = &disk.tensors()[disk.tensors().len() - 1].name;
    assert_eq!(owned.read_tensor_bytes(last).expect("from a Vec"), disk.read_tensor_bytes(last).expect("from disk"));
}

#[test]
fn truncated_in_memory_file_gives_the_same_error_as_on_disk() {
    let bytes = std::fs::read(stories260k()).expect("read stories260K");
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("memory_source_truncated.gguf");
    let name = tmp.to_str().expect("UTF-8 temp path").to_string();
    // Cut in the header (inside the vocabulary) and in the tensor data.
    for cut in [1_000, bytes.len() / 2, bytes.len() - 1] {
        let part = &bytes[..cut];
        std::fs::write(&tmp, part).expect("write truncated copy");
        let disk = GgufFile::open(&tmp).unwrap_err();
        std::fs::remove_file(&tmp).ok();
        let mem = GgufFile::from_bytes(&name, part.to_vec()).unwrap_err();
        match (&disk, &mem) {
            (
                FormatError::Truncated { path: p1, what: w1, needed: n1, len: l1 },
                FormatError::Truncated { path: p2, what: w2, needed: n2, len: l2 },
            ) => {
                assert_eq!((p1, w1, n1, l1), (p2, w2, n2, l2), "cut at {cut}");
                assert_eq!(*l2, cut as u64);
            }
            _ => panic!("cut at {cut}: disk {disk:?}, memory {mem:?}"),
        }
        assert_eq!(disk.to_string(), mem.to_string());
    }
}

#[test]
fn not_gguf_in_memory_names_the_given_name() {
    let err = GgufFile::from_bytes("upload.bin", b"<!doctype html>".to_vec()).unwrap_err();
    assert!(matches!(&err, FormatError::NotGguf { found, .. } if found == b"<!do"), "{err:?}");
    assert!(err.to_string().starts_with("upload.bin is not a GGUF file"), "{err}");
    let err = GgufFile::from_bytes("empty", Vec::new()).unwrap_err();
    assert!(matches!(&err, FormatError::NotGguf { found, .. } if found.is_empty()), "{err:?}");
}

#[test]
fn memory_source_refuses_reads_past_its_end() {
    let src = MemorySource::new(vec![1u8, 2, 3, 4]);
    let mut buf = [0u8; 2];
    src.read_at(2, &mut buf).expect("inside");
    assert_eq!(buf, [3, 4]);
    for offset in [3, 5, u64::MAX] {
        let err = src.read_at(offset, &mut buf).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    }
    assert_eq!(src.len(), 4);
}
