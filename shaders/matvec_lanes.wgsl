// y = x · wᵀ for few rows of x (decode, small scoring batches) with w in a
// quantized type (its decoder has lanes: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0,
// Q2_K..Q6_K): x [n, k] with n <= MAX_ROWS, y [n, m]. Same contract and dispatch
// as matvec.wgsl (bindings, team layout and the final sum:
// common/matvec_team.wgsl); k is a multiple of the block.
//
// A block is shared by LANES = BLOCK_VALUES / 8 lanes: lane t takes the
// eight values the decoder's `lane_values(start, t)` gives, from whole
// quant words (consecutive lanes read consecutive words), in two runs of
// four that each have one scale and offset. Those come out once per lane
// and block, factored out of the sums: Σ (s q - o) x = s Σ q x - o Σ x
// (block_quad decodes them per quad and applies them per value). A team of
// 32 takes 32 / LANES blocks a step, four steps in flight when decoding.
//
// Lane contract (common/<type>_lanes.wgsl): `lane_at(t)` gives the offsets
// in the block of the lane's two runs, `lane_values` their quants as
// floats and scales: value = sm.x * a - sm.y (first run), sm.z * b - sm.w
// (second run). Types whose offset comes from the integers (Q4_0's 8,
// Q6_K's 32) subtract it before the sum and leave the offset 0, so that
// s Σ q x - o Σ x does not cancel.

struct Lane {
    a: vec4<f32>,
    b: vec4<f32>,
    sm: vec4<f32>,
}

const LANES: u32 = BLOCK_VALUES / 8u;

// The lane's share of the dot product with x (the vec4s at `xa`, `xb`).
fn lane_dot(l: Lane, xa: vec4<f32>, xb: vec4<f32>) -> f32 {
    let one = vec4<f32>(1.0);
    return (l.sm.x * dot(l.a, xa) - l.sm.y * dot(xa, one)) + (l.sm.z * dot(l.b, xb) - l.sm.w * dot(xb, one));
}

// lane_dot for (block, lane) pair `g` of the row and the row of x whose
// first vec4 is `xr`; with NORM (one row, xr 0) x normalized (`normed`).
fn lane_x(l: Lane, g: u32, xr: u32, ss: ptr<function, f32>) -> f32 {
    let at = ((g / LANES) * BLOCK_VALUES + lane_at(g % LANES)) / 4u;
    return lane_dot(l, normed(x[xr + at.x], 4u * at.x, ss), normed(x[xr + at.y], 4u * at.y, ss));
}

@compute @workgroup_size(WG)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let col = group_index(wid, nwg) * COLS + lid / TEAM;
    let t = lid % TEAM;
    let blocks = p.k / BLOCK_VALUES;
    // (block, lane) pairs of the row, lane-minor; none past the last column.
    let pairs = select(0u, blocks * LANES, col < p.m);
    let row = col * blocks * BLOCK_BYTES;
    let rows = min(p.n, MAX_ROWS);
    if (rows == 1u) {
        // Four steps in flight, then the rest.
        var acc = vec4<f32>(0.0);
        var ss = 0.0;
        var g = t;
        for (; g + 3u * TEAM < pairs; g = g + 4u * TEAM) {
            let gs = vec4<u32>(g) + vec4<u32>(0u, 1u, 2u, 3u) * TEAM;
            let l0 = lane_values(row + (gs.x / LANES) * BLOCK_BYTES, gs.x % LANES);
            let l1 = lane_values(row + (gs.y / LANES) * BLOCK_BYTES, gs.y % LANES);
            let l2 = lane_values(row + (gs.z / LANES) * BLOCK_BYTES, gs.z % LANES);
            let l3 = lane_values(row + (gs.w / LANES) * BLOCK_BYTES, gs.w % LANES);
            acc = acc + vec4<f32>(lane_x(l0, gs.x, 0u, &ss), lane_x(l1, gs.y, 0u, &ss), lane_x(l2, gs.z, 0u, &ss), lane_x(l3, gs.w, 0u, &ss));
        }
        for (; g < pairs; g = g + TEAM) {
            acc.x = acc.x + lane_x(lane_values(row + (g / LANES) * BLOCK_BYTES, g % LANES), g, 0u, &ss);
        }
        part[lid] = (acc.x + acc.y) + (acc.z + acc.w);
        if (NORM) {
            part[WG + lid] = ss;
        }
    } else {
        var lo = vec4<f32>(0.0);
        var hi = vec4<f32>(0.0);
        var unused = 0.0;
        for (var g = t; g < pairs; g = g + TEAM) {
            let l = lane_values(row + (g / LANES) * BLOCK_BYTES, g % LANES);
            for (var r = 0u; r < rows; r = r + 1u) {
                add_row(r, lane_x(l, g, r * (p.k / 4u), &unused), &lo, &hi);
            }
        }
        park_rows(lid, rows, lo, hi);
    }
    team_store(lid, t, col, rows);
}
