// First pass of the top-k selection (top_k_combine.wgsl is the second),
// which lets sampling read back 2k numbers instead of a row of logits.
// Ranking and the tournament tree: common/top_k.wgsl.
//
// Row r of x [rows, cols] is cut into `chunks` (<= WG) chunks of p.chunk
// values, one workgroup each; invocation i takes values i, i + WG, ... of
// the chunk. The workgroup writes its chunk's k best candidates, in rank
// order, to part[(r * chunks + c) * k ..] as (key, index) pairs
// (NONE-indexed pairs past the chunk's end). Each round takes the tree's
// root; its owner rescans its values for the best one ranking after it.

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> part: array<vec2<u32>>;
@group(0) @binding(2) var<uniform> p: Params;

// The best of this invocation's values that ranks after `after` (any,
// when `first_round`).
fn best_after(after: vec2<u32>, first_round: bool, base: u32, first: u32, end: u32, lid: u32) -> vec2<u32> {
    var mine = vec2<u32>(0u, NONE);
    for (var c = first + lid; c < end; c = c + WG) {
        let cand = vec2<u32>(rank_key(x[base + c]), c);
        if ((first_round || ranks_before(after, cand)) && ranks_before(cand, mine)) {
            mine = cand;
        }
    }
    return mine;
}

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let g = group_index(wid, nwg);
    let in_range = g < p.rows * p.chunks;
    let row = g / p.chunks;
    let first = (g % p.chunks) * p.chunk;
    let end = select(0u, min(first + p.chunk, p.cols), in_range);
    let base = row * p.cols;
    tree_build(best_after(vec2<u32>(0u, NONE), true, base, first, end, lid), lid);
    for (var j = 0u; j < p.k; j = j + 1u) {
        let top = tree[1];
        if (in_range && lid == 0u) {
            part[g * p.k + j] = top;
        }
        // Everyone has read the root before its owner changes the tree.
        workgroupBarrier();
        if (top.y != NONE && (top.y - first) % WG == lid) {
            tree_update(best_after(top, false, base, first, end, lid), lid);
        }
        workgroupBarrier();
    }
}
