//! Bad input to `GgufFile::open`: every case must give the specific
//! `FormatError` variant, never a panic or a huge allocation.
//!
//! Files are built byte by byte with `GgufBytes` (layout from ggml
//! `docs/gguf.md`) or cut and patched from a real model (stories260K), and written to
//! Cargo's per-target temporary folder.

use std::path::{Path, PathBuf};

use kaoshi_formats::{FormatError, GgufFile, GgufVersion};

/// GGUF metadata value type ids (`enum gguf_type` in ggml's gguf.h).
mod ty {
    pub const U8: u32 = 0;
    pub const U32: u32 = 4;
    pub const BOOL: u32 = 7;
    pub const STRING: u32 = 8;
    pub const ARRAY: u32 = 9;
}

/// GGUF tensor type ids (`enum ggml_type`).
const F32: u32 = 0;
const Q8_0: u32 = 8;
const IQ4_XS: u32 = 23;

/// A GGUF file written by hand. Metadata values are given as their type id
/// and encoded payload, so that a test can write any value, valid or not.
struct GgufBytes {
    version: u32,
    kv: Vec<(Vec<u8>, u32, Vec<u8>)>,
    tensors: Vec<RawTensor>,
}

/// One tensor info; `dims` innermost first as in the file.
struct RawTensor {
    name: String,
    dims: Vec<u64>,
    type_id: u32,
    /// Written after the header, 32-byte aligned; its offset is computed.
    data: Vec<u8>,
}

impl GgufBytes {
    fn new(version: u32) -> Self {
        Self { version, kv: Vec::new(), tensors: Vec::new() }
    }

    /// A count or string length: u32 in v1, u64 after.
    fn len(&self, out: &mut Vec<u8>, n: u64) {
        if self.version == 1 {
            out.extend((n as u32).to_le_bytes());
        } else {
            out.extend(n.to_le_bytes());
        }
    }

    fn string(&self, s: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        self.len(&mut out, s.len() as u64);
        out.extend(s);
        out
    }

    fn kv_raw(mut self, key: &str, type_id: u32, payload: Vec<u8>) -> Self {
        self.kv.push((key.as_bytes().to_vec(), type_id, payload));
        self
    }

    fn kv_u32(self, key: &str, v: u32) -> Self {
        self.kv_raw(key, ty::U32, v.to_le_bytes().to_vec())
    }

    fn kv_str(self, key: &str, v: &str) -> Self {
        let payload = self.string(v.as_bytes());
        self.kv_raw(key, ty::STRING, payload)
    }

    fn tensor(mut self, name: &str, dims: &[u64], type_id: u32, data: Vec<u8>) -> Self {
        self.tensors.push(RawTensor { name: name.into(), dims: dims.to_vec(), type_id, data });
        self
    }

    /// A valid one-tensor file: 4 x 2 F32 values.
    fn minimal() -> Self {
        Self::new(3).kv_str("general.architecture", "llama").tensor("t", &[4, 2], F32, vec![0; 32])
    }

    fn bytes(&self) -> Vec<u8> {
        let mut out = b"GGUF".to_vec();
        out.extend(self.version.to_le_bytes());
        self.len(&mut out, self.tensors.len() as u64);
        self.len(&mut out, self.kv.len() as u64);
        for (key, type_id, payload) in &self.kv {
            out.extend(self.string(key));
            out.extend(type_id.to_le_bytes());
            out.extend(payload);
        }
        let mut offset = 0u64;
        for t in &self.tensors {
            out.extend(self.string(t.name.as_bytes()));
            out.extend((t.dims.len() as u32).to_le_bytes());
            for &d in &t.dims {
                self.len(&mut out, d);
            }
            out.extend(t.type_id.to_le_bytes());
            out.extend(offset.to_le_bytes());
            offset += (t.data.len() as u64).div_ceil(32) * 32;
        }
        for t in &self.tensors {
            out.resize(out.len().div_ceil(32) * 32, 0);
            out.extend(&t.data);
        }
        out
    }
}

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bad_gguf_{name}"))
}

/// Writes `bytes` to a temporary file named after the test and opens it.
/// The same bytes read from memory (`GgufFile::from_bytes`, named by the
/// path) must give the same outcome: the same error, or the same
/// header.
fn open_bytes(name: &str, bytes: &[u8]) -> Result<GgufFile, FormatError> {
    let path = tmp(name);
    std::fs::write(&path, bytes).expect("write test file");
    let result = GgufFile::open(&path);
    std::fs::remove_file(&path).ok();
    let in_memory = GgufFile::from_bytes(path.to_str().expect("UTF-8 temp path"), bytes.to_vec());
    match (&result, &in_memory) {
        (Err(disk), Err(mem)) => assert_eq!(format!("{disk:?}"), format!("{mem:?}"), "disk and memory disagree"),
        (Ok(disk), Ok(mem)) => assert_eq!(header(disk), header(mem), "disk and memory disagree"),
        _ => panic!("disk gives {result:?}, memory gives {in_memory:?}"),
    }
    result
}

/// Everything the header says, in a fixed order.
fn header(file: &GgufFile) -> String {
    let mut kv: Vec<String> = file.metadata().as_map().iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    kv.sort();
    format!("{:?} {} {kv:?} {:?}", file.version(), file.file_len(), file.tensors())
}

fn shared_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    assert!(
        dir.is_dir(),
        "this test needs the shared fixtures folder at {} (../shared from the repository root)",
        dir.display()
    );
    dir
}

fn stories(file: &str) -> PathBuf {
    let path = shared_dir().join("fixtures/models/stories260K").join(file);
    assert!(path.is_file(), "missing fixture {}", path.display());
    path
}

/// The bytes of a small valid model: stories260K (a real llama, F32).
fn model_bytes() -> Vec<u8> {
    std::fs::read(stories("stories260K.gguf")).expect("read stories260K")
}

/// The offset just past the header: the first tensor's data.
fn data_start(bytes: &[u8], name: &str) -> u64 {
    let file = open_bytes(name, bytes).expect("the unmodified file opens");
    file.tensors().iter().map(|t| t.offset).min().expect("a tensor")
}

/// The offset of the type id in the tensor info of `tensor`: found by its
/// name (u64 length + bytes), then past n_dims and the dims.
fn tensor_type_offset(bytes: &[u8], tensor: &str) -> usize {
    let mut needle = (tensor.len() as u64).to_le_bytes().to_vec();
    needle.extend(tensor.as_bytes());
    let at = bytes.windows(needle.len()).position(|w| w == needle).expect("tensor info in header");
    let n_dims_at = at + needle.len();
    let n_dims = u32::from_le_bytes(bytes[n_dims_at..n_dims_at + 4].try_into().unwrap()) as usize;
    n_dims_at + 4 + 8 * n_dims
}

#[test]
fn text_file_is_not_gguf() {
    let err = open_bytes("text", b"hello, this is not a model\n").unwrap_err();
    assert!(matches!(&err, FormatError::NotGguf { found, .. } if found == b"hell"), "{err:?}");
}

#[test]
fn empty_file_is_not_gguf() {
    let err = open_bytes("empty", b"").unwrap_err();
    assert!(matches!(&err, FormatError::NotGguf { found, .. } if found.is_empty()), "{err:?}");
}

#[test]
fn missing_file_is_io_error() {
    let err = GgufFile::open(&tmp("does_not_exist.gguf")).unwrap_err();
    assert!(matches!(err, FormatError::Io { .. }), "{err:?}");
}

#[test]
fn every_cut_of_a_small_file_is_truncated() {
    let bytes = GgufBytes::minimal().kv_u32("llama.block_count", 1).bytes();
    assert!(open_bytes("cut_full", &bytes).is_ok());
    for cut in 0..bytes.len() {
        let err = open_bytes(&format!("cut_{cut}"), &bytes[..cut]).unwrap_err();
        if cut < 4 {
            assert!(matches!(err, FormatError::NotGguf { .. }), "cut at {cut}: {err:?}");
        } else {
            assert!(matches!(err, FormatError::Truncated { .. }), "cut at {cut}: {err:?}");
        }
    }
}

#[test]
fn model_cut_in_header_is_truncated() {
    let bytes = model_bytes();
    let header = data_start(&bytes, "cut_header_full") as usize;
    // In the magic+version, the counts, the vocabulary array, the tensor infos.
    for cut in [6, 20, 1000, header / 2, header - 40, header - 1] {
        let err = open_bytes("cut_header", &bytes[..cut]).unwrap_err();
        assert!(matches!(err, FormatError::Truncated { .. }), "cut at {cut} of {header}: {err:?}");
    }
}

#[test]
fn model_cut_in_tensor_data_is_truncated() {
    let bytes = model_bytes();
    let header = data_start(&bytes, "cut_data_full") as usize;
    for cut in [header, header + 100, (header + bytes.len()) / 2, bytes.len() - 1] {
        let err = open_bytes("cut_data", &bytes[..cut]).unwrap_err();
        match &err {
            FormatError::Truncated { needed, len, what, .. } => {
                assert_eq!(*len, cut as u64);
                assert!(*needed > *len && what.contains("tensor"), "{err}");
            }
            _ => panic!("cut at {cut}: {err:?}"),
        }
    }
}

#[test]
fn unsupported_versions_are_refused() {
    for version in [0u32, 4, 0x0300_0000, u32::MAX] {
        let mut bytes = GgufBytes::minimal().bytes();
        bytes[4..8].copy_from_slice(&version.to_le_bytes());
        let err = open_bytes(&format!("version_{version}"), &bytes).unwrap_err();
        assert!(matches!(err, FormatError::UnsupportedVersion { version: v, .. } if v == version), "{err:?}");
    }
}

#[test]
fn iq4_xs_tensor_is_unsupported() {
    // IQ4_XS: 256-element blocks of 136 bytes.
    let bytes = GgufBytes::minimal().tensor("blk.0.attn_q.weight", &[256, 1], IQ4_XS, vec![0; 136]).bytes();
    let err = open_bytes("iq4_xs", &bytes).unwrap_err();
    assert!(
        matches!(&err, FormatError::UnsupportedTensorType { tensor, type_name, .. }
            if tensor == "blk.0.attn_q.weight" && type_name == "IQ4_XS"),
        "{err:?}"
    );
    assert!(err.to_string().contains("IQ4_XS"), "{err}");
}

#[test]
fn model_with_a_patched_tensor_type_is_unsupported() {
    let mut bytes = model_bytes();
    let at = tensor_type_offset(&bytes, "blk.0.ffn_up.weight");
    assert_eq!(bytes[at..at + 4], F32.to_le_bytes(), "located the type id of an F32 tensor");
    bytes[at..at + 4].copy_from_slice(&IQ4_XS.to_le_bytes());
    let err = open_bytes("patch_type", &bytes).unwrap_err();
    assert!(
        matches!(&err, FormatError::UnsupportedTensorType { tensor, type_name, .. }
            if tensor == "blk.0.ffn_up.weight" && type_name == "IQ4_XS"),
        "{err:?}"
    );
    // An id ggml does not define at all.
    bytes[at..at + 4].copy_from_slice(&1000u32.to_le_bytes());
    let err = open_bytes("patch_type_unknown", &bytes).unwrap_err();
    assert!(matches!(&err, FormatError::UnsupportedTensorType { type_name, .. } if type_name == "type #1000"));
}

#[test]
fn absurd_dimensions_are_refused_without_allocating() {
    let cases: [(&str, Vec<u64>, u32); 5] = [
        // The element count overflows u64.
        ("overflow", vec![1 << 32, 1 << 32, 2], F32),
        // The count fits but the byte size (4 bytes each) does not.
        ("byte_overflow", vec![1 << 62, 1], F32),
        // 2^60 elements: fits in u64, far beyond the file.
        ("huge", vec![1 << 30, 1 << 30], F32),
        ("huge_q8", vec![1 << 40, 1 << 20], Q8_0),
        ("max", vec![u64::MAX], F32),
    ];
    for (name, dims, type_id) in cases {
        let bytes = GgufBytes::minimal().tensor("big", &dims, type_id, Vec::new()).bytes();
        let err = open_bytes(name, &bytes).unwrap_err();
        assert!(
            matches!(&err, FormatError::BadDimensions { tensor, .. } if tensor == "big")
                || matches!(err, FormatError::Truncated { .. }),
            "{name}: {err:?}"
        );
    }
    // Overflow specifically is BadDimensions, with the dims as stored.
    let bytes = GgufBytes::minimal().tensor("big", &[1 << 32, 1 << 32, 2], F32, Vec::new()).bytes();
    let err = open_bytes("overflow_dims", &bytes).unwrap_err();
    assert!(matches!(&err, FormatError::BadDimensions { dims, .. } if dims == &[1 << 32, 1 << 32, 2]), "{err:?}");
}

#[test]
fn bad_rank_is_refused() {
    for (name, dims) in [("rank0", vec![]), ("rank5", vec![1u64; 5])] {
        let bytes = GgufBytes::minimal().tensor("t5", &dims, F32, vec![0; 4]).bytes();
        let err = open_bytes(name, &bytes).unwrap_err();
        assert!(matches!(&err, FormatError::BadDimensions { tensor, .. } if tensor == "t5"), "{name}: {err:?}");
    }
}

#[test]
fn rows_not_filling_quant_blocks_are_refused() {
    // 40 values per row: not a whole number of Q8_0 blocks of 32.
    let bytes = GgufBytes::minimal().tensor("q", &[40, 2], Q8_0, vec![0; 34 * 3]).bytes();
    let err = open_bytes("partial_block", &bytes).unwrap_err();
    assert!(matches!(&err, FormatError::BadDimensions { tensor, .. } if tensor == "q"), "{err:?}");
}

#[test]
fn tensor_offset_past_the_end_is_truncated() {
    let good = GgufBytes::new(3).tensor("probe", &[4, 2], F32, vec![0; 32]).bytes();
    // The offset field follows the type id in the tensor info.
    let at = tensor_type_offset(&good, "probe") + 4;
    assert_eq!(good[at..at + 8], 0u64.to_le_bytes());
    for (name, offset) in [("past_end", 1u64 << 20), ("overflow", u64::MAX - 7)] {
        let mut bytes = good.clone();
        bytes[at..at + 8].copy_from_slice(&offset.to_le_bytes());
        let err = open_bytes(name, &bytes).unwrap_err();
        assert!(matches!(err, FormatError::Truncated { .. } | FormatError::BadDimensions { .. }), "{name}: {err:?}");
    }
}

#[test]
fn absurd_array_length_in_metadata_is_refused() {
    for (name, n) in [("max", u64::MAX), ("big", 1 << 40), ("one_past", 1 << 20)] {
        let mut payload = ty::U8.to_le_bytes().to_vec();
        payload.extend(n.to_le_bytes());
        payload.extend([0u8; 16]);
        let bytes = GgufBytes::minimal().kv_raw("tokenizer.ggml.tokens", ty::ARRAY, payload).bytes();
        let err = open_bytes(&format!("array_{name}"), &bytes).unwrap_err();
        assert!(matches!(err, FormatError::Truncated { .. }), "{name}: {err:?}");
    }
}

#[test]
fn absurd_string_length_and_counts_are_refused() {
    let mut payload = u64::MAX.to_le_bytes().to_vec();
    payload.extend(b"abc");
    let bytes = GgufBytes::minimal().kv_raw("general.name", ty::STRING, payload).bytes();
    let err = open_bytes("string_len", &bytes).unwrap_err();
    assert!(matches!(err, FormatError::Truncated { .. }), "{err:?}");

    // Tensor count, then metadata count, patched to 2^63.
    for (name, at) in [("n_tensors", 8), ("n_kv", 16)] {
        let mut bytes = GgufBytes::minimal().bytes();
        bytes[at..at + 8].copy_from_slice(&(1u64 << 63).to_le_bytes());
        let err = open_bytes(name, &bytes).unwrap_err();
        assert!(matches!(err, FormatError::Truncated { .. }), "{name}: {err:?}");
    }
}

#[test]
fn malformed_metadata_values_are_refused() {
    let nested = {
        // Arrays of arrays, deeper than any real file.
        let mut p = Vec::new();
        for _ in 0..8 {
            p.extend(ty::ARRAY.to_le_bytes());
            p.extend(1u64.to_le_bytes());
        }
        p.extend(ty::U8.to_le_bytes());
        p.extend(1u64.to_le_bytes());
        p.push(0);
        p
    };
    let cases: [(&str, u32, Vec<u8>); 4] = [
        ("unknown_type", 99, vec![0; 8]),
        ("bool_2", ty::BOOL, vec![2]),
        ("bad_utf8", ty::STRING, [2u64.to_le_bytes().as_slice(), &[0xff, 0xfe]].concat()),
        ("nested", ty::ARRAY, nested),
    ];
    for (name, type_id, payload) in cases {
        let bytes = GgufBytes::minimal().kv_raw("key", type_id, payload).bytes();
        let err = open_bytes(name, &bytes).unwrap_err();
        assert!(matches!(err, FormatError::Malformed { .. }), "{name}: {err:?}");
    }
    let bytes = GgufBytes::minimal().kv_raw("general.alignment", ty::U32, 3u32.to_le_bytes().to_vec()).bytes();
    let err = open_bytes("alignment", &bytes).unwrap_err();
    assert!(matches!(&err, FormatError::BadValue { key, .. } if key == "general.alignment"), "{err:?}");
}

#[test]
fn duplicate_tensor_is_malformed() {
    let bytes = GgufBytes::minimal().tensor("t", &[4, 2], F32, vec![0; 32]).bytes();
    let err = open_bytes("duplicate", &bytes).unwrap_err();
    assert!(matches!(err, FormatError::Malformed { .. }), "{err:?}");
}

#[test]
fn builder_output_is_valid_gguf() {
    let bytes = GgufBytes::minimal().kv_u32("llama.block_count", 1).tensor("q", &[32, 2], Q8_0, vec![0; 68]).bytes();
    let file = open_bytes("builder_ok", &bytes).expect("a valid hand-built file opens");
    assert_eq!(file.architecture(), Some("llama"));
    assert_eq!(file.metadata().require_u64("llama.block_count").unwrap(), 1);
    assert_eq!(file.tensor("t").unwrap().shape, vec![2, 4]);
    assert_eq!(file.tensor("q").unwrap().n_bytes, 68);
    assert!(matches!(file.require_tensor("nope"), Err(FormatError::MissingTensor { .. })));
}

#[test]
fn stories_q8_0_with_172_wide_rows_is_bad_dimensions() {
    // ffn_down has rows of 172 values (the MLP width), which cannot be split
    // into Q8_0 blocks of 32; llama.cpp refuses this file the same way.
    let err = GgufFile::open(&stories("edge-cases/tinyllamas-stories-260k-q8_0.gguf")).unwrap_err();
    match &err {
        FormatError::BadDimensions { tensor, dims, .. } => {
            assert_eq!(tensor, "blk.0.ffn_down.weight");
            assert_eq!(dims, &[172, 64]);
        }
        _ => panic!("expected BadDimensions, got {err:?}"),
    }
}

#[test]
fn gguf_v1_reads_like_v3() {
    let v1 = GgufFile::open(&stories("tinyllamas-stories-260k-f32.gguf")).expect("v1 file opens");
    let v3 = GgufFile::open(&stories("stories260K.gguf")).expect("v3 file opens");
    assert_eq!(v1.version(), GgufVersion::V1);
    assert_eq!(v3.version(), GgufVersion::V3);
    assert_eq!(v1.architecture(), Some("llama"));
    assert_eq!(v1.metadata().array_len("tokenizer.ggml.tokens"), Some(512));
    assert_eq!(v1.tensors().len(), v3.tensors().len());
    for t in v3.tensors() {
        let o = v1.require_tensor(&t.name).expect("same tensor names");
        assert_eq!((&o.shape, o.dtype), (&t.shape, t.dtype), "{}", t.name);
    }
    for t in v3.tensors().iter().filter(|t| t.name.starts_with("blk.0.") || !t.name.starts_with("blk.")) {
        let (a, b) = (v1.read_tensor_bytes(&t.name).unwrap(), v3.read_tensor_bytes(&t.name).unwrap());
        assert!(a == b, "tensor {} differs between the v1 and v3 files", t.name);
    }
}

#[test]
fn hand_built_v1_and_v2_files_open() {
    for (version, expected) in [(1, GgufVersion::V1), (2, GgufVersion::V2)] {
        let bytes = GgufBytes::new(version)
            .kv_str("general.name", "x")
            .kv_u32("llama.block_count", 1)
            .tensor("t", &[4, 2], F32, vec![0; 32])
            .bytes();
        let file = open_bytes(&format!("v{version}"), &bytes).expect("opens");
        assert_eq!(file.version(), expected);
        assert_eq!(file.metadata().get_str("general.name"), Some("x"));
        assert_eq!(file.tensor("t").unwrap().shape, vec![2, 4]);
    }
}
