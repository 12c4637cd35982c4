// Second pass of the top-k selection: see top_k_partial.wgsl. One
// workgroup per row merges the row's `chunks` (<= WG) ranked lists of k:
// invocation i holds the head of list i in the tournament tree
// (common/top_k.wgsl); each round takes the root and its owner moves to
// the next entry of its list. It writes
//   out[2 (r k + j)] = index, out[2 (r k + j) + 1] = the logit's bits
// for the row's j-th ranked entry (k <= cols, so every pick is real).

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> part: array<vec2<u32>>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let row = group_index(wid, nwg);
    let in_range = row < p.rows;
    let owns = in_range && lid < p.chunks;
    let list = (row * p.chunks + lid) * p.k;
    var taken = 0u;
    var head = vec2<u32>(0u, NONE);
    if (owns) {
        head = part[list];
    }
    tree_build(head, lid);
    for (var j = 0u; j < p.k; j = j + 1u) {
        let top = tree[1];
        if (in_range && lid == 0u) {
            let at = 2u * (row * p.k + j);
            out[at] = top.y;
            out[at + 1u] = select(0u, x[row * p.cols + top.y], top.y < p.cols);
        }
        workgroupBarrier();
        if (owns && top.y != NONE && all(top == head)) {
            taken = taken + 1u;
            head = vec2<u32>(0u, NONE);
            if (taken < p.k) {
                head = part[list + taken];
            }
            tree_update(head, lid);
        }
        workgroupBarrier();
    }
}
