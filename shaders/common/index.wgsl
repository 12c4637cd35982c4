// Workgroup and invocation indices for dispatches folded into two dimensions
// (a dimension holds at most 65535 workgroups). Needs the generated `WG`.

fn group_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return wid.x + wid.y * nwg.x;
}

fn flat_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return group_index(wid, nwg) * WG + lid;
}
