// Ranking and a tournament tree for the top-k selection (top_k_partial.wgsl,
// top_k_combine.wgsl).
//
// Logits are read as raw u32 bits and ranked as Rust's f32::total_cmp does
// (the host's `host_top_k`): `rank_key` maps the bits to a u32 that orders
// as the floats do, -NaN < -inf < ... < -0 < +0 < ... < +inf < +NaN. A
// candidate is a (key, index) pair; on equal keys the lower index ranks
// first, which makes the order total: the top k are one list, the same as
// the host's, bit for bit, with no float arithmetic anywhere.
//
// The tree: leaf WG + i holds invocation i's current candidate, node n the
// better of nodes 2n and 2n + 1, the root (node 1) the best of all. When a
// round takes the root, only the invocation that owned it finds its next
// candidate and recomputes the log2(WG) nodes above its leaf; the others
// wait at the barrier. So a round costs one invocation's rescan, not a
// workgroup-wide reduction.

// The uniform both passes take: x is [rows, cols], cut into `chunks`
// chunks of `chunk` values per row; k candidates are kept.
struct Params {
    rows: u32,
    cols: u32,
    chunks: u32,
    k: u32,
    chunk: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

// "No candidate": ranks after every real one (whose index is < NONE).
const NONE: u32 = 0xffffffffu;

fn rank_key(bits: u32) -> u32 {
    return select(bits | 0x80000000u, ~bits, (bits & 0x80000000u) != 0u);
}

// Whether candidate a ranks before candidate b.
fn ranks_before(a: vec2<u32>, b: vec2<u32>) -> bool {
    return a.x > b.x || (a.x == b.x && a.y < b.y);
}

fn better(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
    return select(b, a, ranks_before(a, b));
}

var<workgroup> tree: array<vec2<u32>, 2 * WG>;

// Builds the tree over every invocation's `leaf`. Every invocation of the
// workgroup must call it (it has barriers); then tree[1] is the best.
fn tree_build(leaf: vec2<u32>, lid: u32) {
    tree[WG + lid] = leaf;
    workgroupBarrier();
    for (var n = WG / 2u; n > 0u; n = n / 2u) {
        if (lid < n) {
            tree[n + lid] = better(tree[2u * (n + lid)], tree[2u * (n + lid) + 1u]);
        }
        workgroupBarrier();
    }
}

// Invocation `lid`'s candidate is now `leaf`: recomputes the nodes above it.
// One invocation at a time (no barrier inside).
fn tree_update(leaf: vec2<u32>, lid: u32) {
    var n = WG + lid;
    tree[n] = leaf;
    while (n > 1u) {
        n = n / 2u;
        tree[n] = better(tree[2u * n], tree[2u * n + 1u]);
    }
}
