//! Synthetic models: the bytes built in memory (for the browser) equal the
//! written file, which opens with kaoshi's reader.

use std::path::Path;

use kaoshi_cpu::synth::{SynthSpec, synthetic_bytes, write_synthetic};
use kaoshi_formats::{GgmlDType, GgufFile};

#[test]
fn synthetic_bytes_equal_the_written_file() {
    let spec = SynthSpec::small_llama();
    for dtype in [GgmlDType::Q4K, GgmlDType::Q8_0] {
        let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("in_memory_{dtype:?}.gguf"));
        write_synthetic(&spec, dtype, 3, None, &path, &mut |_, _| {}).expect("write synthetic model");
        let file = std::fs::read(&path).expect("read synthetic model");
        std::fs::remove_file(&path).ok();
        let bytes = synthetic_bytes(&spec, dtype, 3).expect("in memory");
        assert!(bytes == file, "{dtype:?}: {} bytes in memory, {} in the file", bytes.len(), file.len());
        let model = GgufFile::from_bytes("in memory", bytes).expect("the bytes open");
        // Embedding, output norm, output, and nine tensors per block.
        assert_eq!(model.tensors().len(), 3 + 2 * 9);
    }
}
