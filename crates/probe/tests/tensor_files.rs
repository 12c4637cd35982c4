//! The `.npz` and `.safetensors` files read back by an independent reader:
//! Python's standard library (`zipfile` checks every CRC, `ast` parses the
//! `.npy` headers, `struct` unpacks the values, `json` the safetensors
//! header). Needs `python3` (as CI has).

use std::collections::BTreeMap;
use std::process::Command;

use kaoshi_probe::tensor_file::{Array, ArrayData, write};

const CHECK: &str = r#"
import ast, json, struct, sys, zipfile
npz, st = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(npz)
assert z.testzip() is None, "a CRC does not match"
out = {}
for name in z.namelist():
    b = z.read(name)
    assert b[:8] == b"\x93NUMPY\x01\x00", name
    n = struct.unpack("<H", b[8:10])[0]
    h = ast.literal_eval(b[10:10 + n].decode("latin1"))
    count = 1
    for d in h["shape"]:
        count *= d
    fmt = {"<f4": "f", "<i8": "q"}[h["descr"]]
    out[name] = {"shape": list(h["shape"]), "values": list(struct.unpack("<%d%s" % (count, fmt), b[10 + n:]))}
b = open(st, "rb").read()
n = struct.unpack("<Q", b[:8])[0]
header = json.loads(b[8:8 + n])
for name, t in header.items():
    if name == "__metadata__":
        continue
    s, e = t["data_offsets"]
    fmt = {"F32": "f", "I64": "q"}[t["dtype"]]
    vals = list(struct.unpack("<%d%s" % ((e - s) // struct.calcsize(fmt), fmt), b[8 + n + s:8 + n + e]))
    assert vals == out[name + ".npy"]["values"], name
print(json.dumps(out, sort_keys=True))
"#;

#[test]
fn python_reads_back_what_was_written() {
    let dir = std::env::temp_dir().join(format!("kaoshi-tensor-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let arrays = vec![
        Array {
            name: "blocks.1.mlp.hook_post".into(),
            shape: vec![2, 2],
            data: ArrayData::F32(vec![0.5, -1.25, 3.0, 0.0]),
        },
        Array { name: "row_text".into(), shape: vec![2], data: ArrayData::I64(vec![0, 7]) },
    ];
    let (npz, st) = (dir.join("a.npz"), dir.join("a.safetensors"));
    write(&npz, &arrays, &BTreeMap::new()).expect("npz");
    write(&st, &arrays, &BTreeMap::from([("model".into(), "x".into())])).expect("safetensors");
    let out = Command::new("python3")
        .arg("-c")
        .arg(CHECK)
        .arg(&npz)
        .arg(&st)
        .output()
        .expect("python3 (needed by this test)");
    assert!(out.status.success(), "python could not read the files: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["blocks.1.mlp.hook_post.npy"]["shape"], serde_json::json!([2, 2]));
    assert_eq!(v["blocks.1.mlp.hook_post.npy"]["values"], serde_json::json!([0.5, -1.25, 3.0, 0.0]));
    assert_eq!(v["row_text.npy"]["values"], serde_json::json!([0, 7]));
    std::fs::remove_dir_all(&dir).ok();
}
