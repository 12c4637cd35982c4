// Which keys a query row sees: `spans` holds (shared, own_start, own_end)
// per row (KeySpan on the host); key j is visible when j < shared or
// own_start <= j < own_end. Reads the `spans` binding, declared by the
// attention kernel that includes this file.

fn visible(row: u32, j: u32) -> bool {
    return j < spans[row * 3u] || (j >= spans[row * 3u + 1u] && j < spans[row * 3u + 2u]);
}
