//! Model-level bad input: valid GGUF files whose metadata or tensors do not
//! make a model kaoshi can run. Each case starts from a synthetic llama that
//! loads, changes one thing (a metadata value, a missing tensor), writes the
//! file again with a small GGUF writer, and checks the specific
//! `ModelError` variant.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kaoshi_cpu::synth::{SynthSpec, write_synthetic};
use kaoshi_formats::{FormatError, GgmlDType, GgufFile, Value};
use kaoshi_model::{Architecture, ModelConfig, ModelError};

/// A GGUF file as metadata and raw tensors, to edit and write back (v3).
struct Editable {
    kv: BTreeMap<String, Value>,
    /// (name, shape outermost first, GGUF type id, bytes).
    tensors: Vec<(String, Vec<usize>, u32, Vec<u8>)>,
}

impl Editable {
    fn read(file: &GgufFile) -> Self {
        let kv = file.metadata().as_map().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        let tensors = file
            .tensors()
            .iter()
            .map(|t| {
                let id = t.dtype.id();
                (t.name.clone(), t.shape.clone(), id, file.read_tensor_bytes(&t.name).expect("tensor bytes"))
            })
            .collect();
        Self { kv, tensors }
    }

    fn set(mut self, key: &str, value: Value) -> Self {
        self.kv.insert(key.into(), value);
        self
    }

    fn remove_key(mut self, key: &str) -> Self {
        self.kv.remove(key);
        self
    }

    fn remove_tensor(mut self, name: &str) -> Self {
        let before = self.tensors.len();
        self.tensors.retain(|t| t.0 != name);
        assert_eq!(self.tensors.len() + 1, before, "tensor {name} was in the file");
        self
    }

    fn bytes(&self) -> Vec<u8> {
        fn string(out: &mut Vec<u8>, s: &str) {
            out.extend((s.len() as u64).to_le_bytes());
            out.extend(s.as_bytes());
        }
        fn type_id(v: &Value) -> u32 {
            match v {
                Value::U8(_) => 0,
                Value::I8(_) => 1,
                Value::U16(_) => 2,
                Value::I16(_) => 3,
                Value::U32(_) => 4,
                Value::I32(_) => 5,
                Value::F32(_) => 6,
                Value::Bool(_) => 7,
                Value::String(_) => 8,
                Value::Array(_) => 9,
                Value::U64(_) => 10,
                Value::I64(_) => 11,
                Value::F64(_) => 12,
            }
        }
        fn value(out: &mut Vec<u8>, v: &Value) {
            match v {
                Value::U8(x) => out.push(*x),
                Value::I8(x) => out.extend(x.to_le_bytes()),
                Value::U16(x) => out.extend(x.to_le_bytes()),
                Value::I16(x) => out.extend(x.to_le_bytes()),
                Value::U32(x) => out.extend(x.to_le_bytes()),
                Value::I32(x) => out.extend(x.to_le_bytes()),
                Value::F32(x) => out.extend(x.to_le_bytes()),
                Value::Bool(x) => out.push(u8::from(*x)),
                Value::String(s) => string(out, s),
                Value::Array(items) => {
                    out.extend(items.first().map_or(0, type_id).to_le_bytes());
                    out.extend((items.len() as u64).to_le_bytes());
                    items.iter().for_each(|i| value(out, i));
                }
                Value::U64(x) => out.extend(x.to_le_bytes()),
                Value::I64(x) => out.extend(x.to_le_bytes()),
                Value::F64(x) => out.extend(x.to_le_bytes()),
            }
        }
        let mut out = b"GGUF".to_vec();
        out.extend(3u32.to_le_bytes());
        out.extend((self.tensors.len() as u64).to_le_bytes());
        out.extend((self.kv.len() as u64).to_le_bytes());
        for (k, v) in &self.kv {
            string(&mut out, k);
            out.extend(type_id(v).to_le_bytes());
            value(&mut out, v);
        }
        let mut offset = 0u64;
        for (name, shape, id, data) in &self.tensors {
            string(&mut out, name);
            out.extend((shape.len() as u32).to_le_bytes());
            shape.iter().rev().for_each(|&d| out.extend((d as u64).to_le_bytes()));
            out.extend(id.to_le_bytes());
            out.extend(offset.to_le_bytes());
            offset += (data.len() as u64).div_ceil(32) * 32;
        }
        for (_, _, _, data) in &self.tensors {
            out.resize(out.len().div_ceil(32) * 32, 0);
            out.extend(data);
        }
        out
    }
}

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bad_models_{name}.gguf"))
}

/// A small synthetic llama (F32), read back for editing.
fn base(name: &str) -> Editable {
    let spec = SynthSpec {
        arch: "llama".into(),
        layers: 2,
        dim: 64,
        heads: 4,
        kv_heads: 2,
        head_dim: 16,
        ffn: 128,
        vocab: 260,
        context: 64,
        rope_theta: 10_000.0,
        rms_eps: 1e-5,
        tied: false,
        rope_freqs: false,
    };
    let path = tmp(&format!("{name}_base"));
    write_synthetic(&spec, GgmlDType::F32, 3, None, &path, &mut |_, _| {}).expect("write synthetic model");
    let file = GgufFile::open(&path).expect("open synthetic model");
    let editable = Editable::read(&file);
    std::fs::remove_file(&path).ok();
    editable
}

/// Writes `model`, opens it and reads its configuration.
fn config_of(name: &str, model: &Editable) -> Result<ModelConfig, ModelError> {
    let path = tmp(name);
    std::fs::write(&path, model.bytes()).expect("write edited model");
    let file = GgufFile::open(&path).expect("the edited file is valid GGUF");
    let result = ModelConfig::from_gguf(&file);
    std::fs::remove_file(&path).ok();
    result
}

#[test]
fn unedited_model_loads() {
    let c = config_of("unedited", &base("unedited")).expect("the base model is valid");
    assert_eq!((c.arch, c.n_layers, c.dim, c.n_heads, c.n_kv_heads), (Architecture::Llama, 2, 64, 4, 2));
    assert_eq!((c.head_dim, c.ffn_dim, c.vocab_size, c.context_length), (16, 128, 260, 64));
    assert!(!c.tied_embeddings && !c.qkv_bias && !c.qk_norm);
}

#[test]
fn unknown_architecture() {
    let m = base("unknown_arch").set("general.architecture", Value::String("gpt-j-foo".into()));
    let err = config_of("unknown_arch", &m).unwrap_err();
    assert!(matches!(&err, ModelError::UnknownArchitecture { name } if name == "gpt-j-foo"), "{err:?}");
}

#[test]
fn missing_architecture() {
    let m = base("no_arch").remove_key("general.architecture");
    let err = config_of("no_arch", &m).unwrap_err();
    assert!(matches!(err, ModelError::NoArchitecture), "{err:?}");
}

#[test]
fn missing_tensor() {
    let m = base("missing_tensor").remove_tensor("blk.1.ffn_up.weight");
    let err = config_of("missing_tensor", &m).unwrap_err();
    assert!(
        matches!(&err, ModelError::Format(FormatError::MissingTensor { tensor, .. }) if tensor == "blk.1.ffn_up.weight"),
        "{err:?}"
    );
}

#[test]
fn missing_embedding() {
    let m = base("missing_embd").remove_tensor("token_embd.weight");
    let err = config_of("missing_embd", &m).unwrap_err();
    assert!(
        matches!(&err, ModelError::Format(FormatError::MissingTensor { tensor, .. }) if tensor == "token_embd.weight"),
        "{err:?}"
    );
}

#[test]
fn missing_required_key() {
    let m = base("missing_key").remove_key("llama.embedding_length");
    let err = config_of("missing_key", &m).unwrap_err();
    assert!(
        matches!(&err, ModelError::Format(FormatError::MissingKey { key, .. }) if key == "llama.embedding_length"),
        "{err:?}"
    );
}

#[test]
fn embedding_length_differing_from_tensors_is_shape_mismatch() {
    let m = base("embd_len").set("llama.embedding_length", Value::U32(128));
    let err = config_of("embd_len", &m).unwrap_err();
    assert!(
        matches!(&err, ModelError::ShapeMismatch { tensor, found, .. }
            if tensor == "token_embd.weight" && found == &[260, 64]),
        "{err:?}"
    );
}

#[test]
fn ffn_length_differing_from_tensors_is_shape_mismatch() {
    let m = base("ffn_len").set("llama.feed_forward_length", Value::U32(256));
    let err = config_of("ffn_len", &m).unwrap_err();
    assert!(
        matches!(&err, ModelError::ShapeMismatch { tensor, expected, found }
            if tensor == "blk.0.ffn_gate.weight" && expected == &[256, 64] && found == &[128, 64]),
        "{err:?}"
    );
}

#[test]
fn more_blocks_than_tensors_is_missing_tensor() {
    let m = base("blocks3").set("llama.block_count", Value::U32(3));
    let err = config_of("blocks3", &m).unwrap_err();
    assert!(
        matches!(&err, ModelError::Format(FormatError::MissingTensor { tensor, .. }) if tensor.starts_with("blk.2.")),
        "{err:?}"
    );
}

#[test]
fn absurd_block_count() {
    for (name, v) in [("blocks_1e9", Value::U32(1_000_000_000)), ("blocks_u64", Value::U64(u64::MAX))] {
        let m = base(name).set("llama.block_count", v);
        let err = config_of(name, &m).unwrap_err();
        assert!(matches!(err, ModelError::AbsurdDimension { what: "block_count", .. }), "{name}: {err:?}");
    }
}

#[test]
fn absurd_widths_and_heads() {
    let cases = [
        ("llama.embedding_length", "embedding_length"),
        ("llama.attention.head_count", "attention.head_count"),
        ("llama.feed_forward_length", "feed_forward_length"),
        ("llama.context_length", "context_length"),
    ];
    for (key, what) in cases {
        let m = base(what).set(key, Value::U64(1 << 40));
        let err = config_of(what, &m).unwrap_err();
        assert!(
            matches!(err, ModelError::AbsurdDimension { what: w, value, .. } if w == what && value == 1 << 40),
            "{key}: {err:?}"
        );
    }
}

#[test]
fn zero_or_inconsistent_heads_are_bad_config() {
    let m = base("zero_heads").set("llama.attention.head_count", Value::U32(0));
    assert!(matches!(config_of("zero_heads", &m).unwrap_err(), ModelError::BadConfig { .. }));
    let m = base("kv_heads").set("llama.attention.head_count_kv", Value::U32(3));
    assert!(matches!(config_of("kv_heads", &m).unwrap_err(), ModelError::BadConfig { .. }));
    let m = base("neg_blocks").set("llama.block_count", Value::I32(-1));
    let err = config_of("neg_blocks", &m).unwrap_err();
    assert!(
        matches!(&err, ModelError::Format(FormatError::BadValue { key, .. }) if key == "llama.block_count"),
        "{err:?}"
    );
}

#[test]
fn unsupported_rope_scaling() {
    let m = base("yarn").set("llama.rope.scaling.type", Value::String("yarn".into()));
    let err = config_of("yarn", &m).unwrap_err();
    assert!(matches!(&err, ModelError::UnsupportedRopeScaling { kind } if kind == "yarn"), "{err:?}");
}

#[test]
fn stories_v1_and_v3_give_the_same_config() {
    let dir = kaoshi_e2e::shared().join("fixtures/models/stories260K");
    let v1 = GgufFile::open(&dir.join("tinyllamas-stories-260k-f32.gguf")).expect("v1 file opens");
    let v3 = GgufFile::open(&dir.join("stories260K.gguf")).expect("v3 file opens");
    let (c1, c3) = (ModelConfig::from_gguf(&v1).unwrap(), ModelConfig::from_gguf(&v3).unwrap());
    // The two conversions disagree only on the declared context length
    // (512 in the v1 file, 2048 in the v3 file); every dimension agrees.
    assert_eq!((c1.context_length, c3.context_length), (512, 2048));
    assert_eq!(ModelConfig { context_length: c3.context_length, ..c1 }, c3);
    assert_eq!((c3.n_layers, c3.dim, c3.n_heads, c3.n_kv_heads, c3.head_dim, c3.ffn_dim), (5, 64, 8, 4, 8, 172));
    assert_eq!(c3.vocab_size, 512);
    for (name, _) in c3.expected_tensors().iter().filter(|(n, _)| n.starts_with("blk.0.")) {
        let (a, b) = (v1.read_tensor_bytes(name).unwrap(), v3.read_tensor_bytes(name).unwrap());
        assert!(a == b, "first-layer tensor {name} differs between the v1 and v3 files");
    }
}
