//! `kaoshi activations`: TransformerLens' `run_with_cache` from the
//! command line. Each text runs alone (causal, from an empty cache); the
//! named hook points are captured at the chosen positions and gathered
//! into arrays for Python ([`crate::tensor_file`]):
//!
//! - one array per hook point, named as the point
//!   (`blocks.3.hook_resid_post`): f32 `[R, width]`, the R captured rows of
//!   all texts in order (`blocks.{l}.attn.hook_pattern`: `[R, n_heads,
//!   max_len]`, keys past a text's end 0);
//! - `row_text`, `row_position`: i64 `[R]`, each row's text and position;
//! - `tokens`: i64, every text's token ids one after the other, and
//!   `text_offsets`: i64 `[n_texts + 1]`, where each text's start (text `i`
//!   is `tokens[text_offsets[i]..text_offsets[i + 1]]`).
//!
//! Rows are stored flat with their text and position rather than padded
//! per text, so texts of any lengths cost no padding.

use std::str::FromStr;

use kaoshi_model::{Backend, CaptureRequest, Forward, HookPoint, HookSet, Model, RowSet};

use crate::error::ProbeError;
use crate::tensor_file::{Array, ArrayData};

/// Which positions of each text are captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Positions {
    /// Every position.
    All,
    /// The last.
    Last,
    /// These; negative ones count from the end (-1 is the last).
    List(Vec<i64>),
}

impl FromStr for Positions {
    type Err = ProbeError;

    fn from_str(s: &str) -> Result<Self, ProbeError> {
        match s {
            "all" => Ok(Self::All),
            "last" => Ok(Self::Last),
            list => {
                list.split(',').map(|p| p.trim().parse::<i64>()).collect::<Result<Vec<_>, _>>().map(Self::List).map_err(
                    |_| ProbeError::Options(format!("positions {s:?}: expected all, last or a list like 0,5,-1")),
                )
            }
        }
    }
}

impl Positions {
    /// The rows of a text of `len` tokens, ascending, each once.
    fn rows(&self, len: usize, text: usize) -> Result<Vec<usize>, ProbeError> {
        let mut rows = match self {
            Self::All => (0..len).collect(),
            Self::Last => vec![len - 1],
            Self::List(list) => list
                .iter()
                .map(|&p| {
                    let r = if p < 0 { len as i64 + p } else { p };
                    usize::try_from(r).ok().filter(|&r| r < len).ok_or_else(|| {
                        ProbeError::Options(format!("position {p} is outside text {text}, which has {len} tokens"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        rows.sort_unstable();
        rows.dedup();
        Ok(rows)
    }
}

/// Parses comma-separated hook names; `*` in place of a block's index
/// stands for every block (`blocks.*.mlp.hook_post`).
pub fn parse_hooks(spec: &str, n_layers: usize) -> Result<Vec<HookPoint>, ProbeError> {
    let mut out = Vec::new();
    for name in spec.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let expanded: Vec<String> = if name.contains('*') {
            (0..n_layers).map(|l| name.replacen('*', &l.to_string(), 1)).collect()
        } else {
            vec![name.to_string()]
        };
        for n in expanded {
            let p: HookPoint = n.parse().map_err(ProbeError::Options)?;
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    if out.is_empty() {
        return Err(ProbeError::Options("no hook points given (e.g. --hooks blocks.*.hook_resid_post)".into()));
    }
    Ok(out)
}

/// Captures `points` at `positions` of every text (token ids, BOS
/// included as wanted); `progress(done, total)` counts texts.
pub fn capture<B: Backend>(
    model: &Model<B>,
    texts: &[Vec<u32>],
    points: &[HookPoint],
    positions: &Positions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Array>, ProbeError> {
    let c = model.config();
    let max_len = texts.iter().map(Vec::len).max().unwrap_or(0);
    let mut values: Vec<Vec<f32>> = vec![Vec::new(); points.len()];
    let (mut row_text, mut row_position) = (Vec::new(), Vec::new());
    for (i, tokens) in texts.iter().enumerate() {
        if tokens.is_empty() {
            return Err(ProbeError::Data(format!("text {i} has no tokens")));
        }
        let rows = positions.rows(tokens.len(), i)?;
        let hooks = HookSet {
            captures: points.iter().map(|&point| CaptureRequest { point, rows: RowSet::Batch(rows.clone()) }).collect(),
            ..Default::default()
        };
        let out = model.run(Forward::causal(tokens).no_logits().hooks(Some(&hooks)), &mut model.new_cache())?;
        for captured in &out.captures.0 {
            let k = points.iter().position(|&p| p == captured.point).expect("a requested point");
            let host = model.backend().download(&captured.values)?;
            match captured.point {
                HookPoint::AttnPattern(_) => {
                    // Each row: n_heads runs of `len` keys, padded to max_len.
                    for key_row in host.data.chunks(tokens.len()) {
                        values[k].extend_from_slice(key_row);
                        values[k].extend(std::iter::repeat_n(0.0, max_len - tokens.len()));
                    }
                }
                _ => values[k].extend_from_slice(&host.data),
            }
        }
        for &r in &rows {
            row_text.push(i as i64);
            row_position.push(r as i64);
        }
        progress(i + 1, texts.len());
    }
    let n_rows = row_text.len();
    let mut arrays: Vec<Array> = points
        .iter()
        .zip(values)
        .map(|(p, data)| {
            let shape = match (p, p.width(c)) {
                (HookPoint::AttnPattern(_), _) => vec![n_rows, c.n_heads, max_len],
                (_, Some(w)) => vec![n_rows, w],
                (_, None) => vec![n_rows, data.len() / n_rows.max(1)],
            };
            Array { name: p.to_string(), shape, data: ArrayData::F32(data) }
        })
        .collect();
    let mut offsets = vec![0i64];
    let mut tokens = Vec::new();
    for t in texts {
        tokens.extend(t.iter().map(|&id| i64::from(id)));
        offsets.push(tokens.len() as i64);
    }
    arrays.push(Array { name: "row_text".into(), shape: vec![n_rows], data: ArrayData::I64(row_text) });
    arrays.push(Array { name: "row_position".into(), shape: vec![n_rows], data: ArrayData::I64(row_position) });
    arrays.push(Array { name: "tokens".into(), shape: vec![tokens.len()], data: ArrayData::I64(tokens) });
    arrays.push(Array { name: "text_offsets".into(), shape: vec![offsets.len()], data: ArrayData::I64(offsets) });
    Ok(arrays)
}
