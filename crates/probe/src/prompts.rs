//! Prompt lists for the steering probes, in the three shapes people keep
//! them: plain text (one prompt per line, blank lines skipped), a JSON list
//! of strings, or a ConTrans/RepE object `{"pos": [...], "neg": [...]}` (of
//! which one side is taken).

use std::path::Path;

use crate::error::ProbeError;

/// Which side of a `{"pos", "neg"}` file to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// `"pos"`.
    Pos,
    /// `"neg"`.
    Neg,
}

impl Side {
    fn key(self) -> &'static str {
        match self {
            Self::Pos => "pos",
            Self::Neg => "neg",
        }
    }
}

/// Whether `path` holds a JSON object with `pos` and `neg` lists.
pub fn is_pair_file(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .is_some_and(|v| v.get("pos").is_some() && v.get("neg").is_some())
}

/// The prompts of `path`; `side` picks a list of a `{"pos", "neg"}` file.
pub fn read(path: &Path, side: Side) -> Result<Vec<String>, ProbeError> {
    let text = std::fs::read_to_string(path).map_err(|source| ProbeError::Io { path: path.to_path_buf(), source })?;
    let shown = path.display();
    let prompts: Vec<String> = if text.trim_start().starts_with(['[', '{']) {
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| ProbeError::Data(format!("{shown}: not valid JSON: {e}")))?;
        let list = match &value {
            serde_json::Value::Array(_) => &value,
            serde_json::Value::Object(map) => map.get(side.key()).ok_or_else(|| {
                ProbeError::Data(format!("{shown}: a JSON object needs a {:?} list of prompts", side.key()))
            })?,
            _ => unreachable!("starts with [ or {{"),
        };
        let items = list
            .as_array()
            .ok_or_else(|| ProbeError::Data(format!("{shown}: {:?} is not a list of prompts", side.key())))?;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| ProbeError::Data(format!("{shown}: item {} is not a string", i + 1)))
            })
            .collect::<Result<_, _>>()?
    } else {
        text.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()).map(str::to_string).collect()
    };
    if let Some(i) = prompts.iter().position(|p| p.trim().is_empty()) {
        return Err(ProbeError::Data(format!("{shown}: prompt {} is empty", i + 1)));
    }
    if prompts.is_empty() {
        return Err(ProbeError::Data(format!("{shown}: no prompts")));
    }
    Ok(prompts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, body: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("kaoshi-prompts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    }

    #[test]
    fn reads_the_three_shapes() {
        let text = file("a.txt", "one\n\n two \nthree\n");
        assert_eq!(read(&text, Side::Pos).unwrap(), vec!["one", " two", "three"]);
        let list = file("b.json", r#"["a\nb", "c"]"#);
        assert_eq!(read(&list, Side::Neg).unwrap(), vec!["a\nb", "c"]);
        let pair = file("c.json", r#"{"pos": ["p"], "neg": ["n1", "n2"]}"#);
        assert!(is_pair_file(&pair) && !is_pair_file(&list));
        assert_eq!(read(&pair, Side::Pos).unwrap(), vec!["p"]);
        assert_eq!(read(&pair, Side::Neg).unwrap(), vec!["n1", "n2"]);
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        let e = read(&file("d.json", r#"{"pos": [1]}"#), Side::Pos).unwrap_err().to_string();
        assert!(e.contains("item 1 is not a string"), "{e}");
        let e = read(&file("e.json", r#"{"other": []}"#), Side::Neg).unwrap_err().to_string();
        assert!(e.contains("\"neg\""), "{e}");
        let e = read(&file("f.txt", "\n\n"), Side::Pos).unwrap_err().to_string();
        assert!(e.contains("no prompts"), "{e}");
        let e = read(&file("g.json", "[\"a\", "), Side::Pos).unwrap_err().to_string();
        assert!(e.contains("not valid JSON"), "{e}");
    }
}
