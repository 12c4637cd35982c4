// Workgroup sum and max: subgroupAdd first, then one partial per subgroup through
// shared memory. Makes no assumption about how lanes map to `lid`: the
// first lane of each subgroup stores its subgroup's sum at its own slot and
// every other slot is zero. Same contract as common/reduce.wgsl.

var<workgroup> red: array<f32, WG>;

fn reduce_sum(v: f32, lid: u32) -> f32 {
    let partial = subgroupAdd(v);
    let lane = subgroupExclusiveAdd(1u);
    red[lid] = select(0.0, partial, lane == 0u);
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s / 2u) {
        if (lid < s) {
            red[lid] = red[lid] + red[lid + s];
        }
        workgroupBarrier();
    }
    let total = red[0];
    workgroupBarrier();
    return total;
}

fn reduce_max(v: f32, lid: u32) -> f32 {
    let partial = subgroupMax(v);
    let lane = subgroupExclusiveAdd(1u);
    red[lid] = select(-3.0e38, partial, lane == 0u);
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s / 2u) {
        if (lid < s) {
            red[lid] = max(red[lid], red[lid + s]);
        }
        workgroupBarrier();
    }
    let m = red[0];
    workgroupBarrier();
    return m;
}
