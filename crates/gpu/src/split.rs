//! Ops on weight matrices split into several buffers by rows (matrices
//! larger than the adapter's binding limit, see [`crate::GpuMatrix`]): each
//! part runs the ordinary kernel into a temporary tensor, and buffer copies
//! put its columns (matmul) or rows (embedding) into place. Only huge
//! matrices on small-limit adapters take this path, so it favours
//! simplicity over the extra copies.

use crate::ops::Fusion;
use crate::tensor::MatrixPart;
use crate::{DType, GpuDevice, GpuError, GpuTensor};

impl GpuDevice {
    /// `x · wᵀ` with `w` (`m` rows in total) split into `parts`.
    pub(crate) fn matmul_split(
        &self,
        x: &GpuTensor,
        parts: &[MatrixPart],
        dtype: DType,
        m: usize,
    ) -> Result<GpuTensor, GpuError> {
        let out = self.empty_tensor(x.rows, m)?;
        for part in parts.iter().filter(|p| p.rows > 0) {
            let y = self.matmul_part(x, &part.buffer, dtype, part.rows, Fusion::default())?;
            // Row i of y is columns first_row.. of row i of out.
            let width = (part.rows * 4) as u64;
            for i in 0..x.rows {
                let dst = ((i * m + part.first_row) * 4) as u64;
                self.copy(&y.buffer, (i * part.rows * 4) as u64, &out.buffer, dst, width);
            }
        }
        Ok(out)
    }

    /// Rows `ids` of a `[_, cols]` table split into `parts` (ids already
    /// checked against the table's rows).
    pub(crate) fn embed_split(
        &self,
        parts: &[MatrixPart],
        dtype: DType,
        cols: usize,
        ids: &[u32],
    ) -> Result<GpuTensor, GpuError> {
        let out = self.empty_tensor(ids.len(), cols)?;
        let row_bytes = (cols * 4) as u64;
        for part in parts {
            let range = part.first_row..part.first_row + part.rows;
            // (position in ids, id within the part) of the ids this part holds.
            let mine: Vec<(usize, u32)> = ids
                .iter()
                .enumerate()
                .filter(|(_, id)| range.contains(&(**id as usize)))
                .map(|(i, &id)| (i, id - part.first_row as u32))
                .collect();
            if mine.is_empty() {
                continue;
            }
            let local: Vec<u32> = mine.iter().map(|&(_, id)| id).collect();
            let rows = self.embed_part(&part.buffer, dtype, cols, &local)?;
            for (j, &(i, _)) in mine.iter().enumerate() {
                self.copy(&rows.buffer, j as u64 * row_bytes, &out.buffer, i as u64 * row_bytes, row_bytes);
            }
        }
        Ok(out)
    }
}
