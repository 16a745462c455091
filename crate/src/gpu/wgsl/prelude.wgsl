// Shared by every kernel: one uniform block of sizes and scalars per dispatch, and the index of a
// thread (or workgroup) in a dispatch laid out over x and y (at most 65,535 workgroups per axis).
struct Dims {
    n: u32, c: u32, h: u32, w: u32,
    oc: u32, oh: u32, ow: u32, k: u32,
    stride: u32, pad: u32, groups: u32, total: u32,
    split: u32, copies: u32, copy_stride: u32,
    s0: f32, s1: f32, s2: f32, s3: f32,
}

@group(0) @binding(0) var<uniform> dims: Dims;

const THREADS: u32 = 256u;

fn group_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return wid.x + wid.y * nwg.x;
}

fn thread_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return group_index(wid, nwg) * THREADS + lid;
}

var<workgroup> partial: array<f32, 256>;
var<workgroup> partial2: array<f32, 256>;

// Sums `partial` (and `partial2`) over the workgroup into element 0.
fn reduce_partials(lid: u32) {
    for (var s = THREADS / 2u; s > 0u; s = s / 2u) {
        workgroupBarrier();
        if (lid < s) {
            partial[lid] = partial[lid] + partial[lid + s];
            partial2[lid] = partial2[lid] + partial2[lid + s];
        }
    }
    workgroupBarrier();
}

// Index of the j-th element (over n, then h·w) of channel `ch` in an [n, c, h, w] tensor.
fn channel_at(j: u32, ch: u32) -> u32 {
    let hw = dims.h * dims.w;
    return ((j / hw) * dims.c + ch) * hw + j % hw;
}
