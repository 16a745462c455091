// ReLU, sums and poolings, forward and backward: a thread per output element.
// Shapes: x [n, c, h, w]; `total` counts the elements written.

// Node gradients share one buffer (an arena), and WebGPU refuses a buffer bound both read-only and
// writable in one dispatch: a binding that may hold a gradient this kernel reads is declared
// read_write, though only read.
@group(0) @binding(1) var<storage, read_write> a: array<f32>;
@group(0) @binding(2) var<storage, read_write> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> out2: array<f32>;

// out = max(a, 0)
@compute @workgroup_size(256)
fn relu_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    out[i] = max(a[i], 0.0);
}

// a = x, b = dy: dx += dy where x > 0
@compute @workgroup_size(256)
fn relu_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    out[i] += select(0.0, b[i], a[i] > 0.0);
}

// out = a + b
@compute @workgroup_size(256)
fn add_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    out[i] = a[i] + b[i];
}

// out += a (a gradient flowing to a node read twice, or through a sum)
@compute @workgroup_size(256)
fn accumulate(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    out[i] += a[i];
}

// out += a, out2 += a (a sum's gradient to both its terms, which are distinct nodes)
@compute @workgroup_size(256)
fn accumulate_both(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                   @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    out[i] += a[i];
    out2[i] += a[i];
}

// Element i of an [n, c, h, w] tensor as (x, y, the index of its plane's first element).
fn pixel(i: u32) -> vec3<u32> {
    let x = i % dims.w;
    let y = (i / dims.w) % dims.h;
    return vec3<u32>(x, y, i - y * dims.w - x);
}

// Rows (or columns) of the 3×3 window around p that lie inside 0..size.
fn window(p: u32, size: u32) -> vec2<u32> {
    return vec2<u32>(select(p - 1u, 0u, p == 0u), min(p + 1u, size - 1u));
}

// 3×3 average, stride 1, padding 1, padding not counted: out = pool(a)
@compute @workgroup_size(256)
fn pool3_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    let p = pixel(i);
    let plane = p.z;
    let rows = window(p.y, dims.h);
    let cols = window(p.x, dims.w);
    var acc = 0.0;
    for (var y = rows.x; y <= rows.y; y++) {
        for (var x = cols.x; x <= cols.y; x++) { acc += a[plane + y * dims.w + x]; }
    }
    out[i] = acc / f32((rows.y - rows.x + 1u) * (cols.y - cols.x + 1u));
}

// a = dy: dx[p] += Σ over the windows containing p of dy / that window's count
@compute @workgroup_size(256)
fn pool3_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    let p = pixel(i);
    let plane = p.z;
    let rows = window(p.y, dims.h);
    let cols = window(p.x, dims.w);
    var acc = 0.0;
    for (var y = rows.x; y <= rows.y; y++) {
        let r = window(y, dims.h);
        for (var x = cols.x; x <= cols.y; x++) {
            let c = window(x, dims.w);
            acc += a[plane + y * dims.w + x] / f32((r.y - r.x + 1u) * (c.y - c.x + 1u));
        }
    }
    out[i] += acc;
}

// 2×2 average, stride 2: out [n, c, h/2, w/2] = pool(a [n, c, h, w])
@compute @workgroup_size(256)
fn pool2_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    let ow = dims.w / 2u;
    let oh = dims.h / 2u;
    let x = i % ow;
    let y = (i / ow) % oh;
    let plane = i / (ow * oh);
    let top = (plane * dims.h + 2u * y) * dims.w + 2u * x;
    out[i] = (a[top] + a[top + 1u] + a[top + dims.w] + a[top + dims.w + 1u]) * 0.25;
}

// a = dy [n, c, h/2, w/2]: dx [n, c, h, w] += dy / 4
@compute @workgroup_size(256)
fn pool2_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    let x = i % dims.w;
    let y = (i / dims.w) % dims.h;
    let plane = i / (dims.w * dims.h);
    out[i] += a[(plane * (dims.h / 2u) + y / 2u) * (dims.w / 2u) + x / 2u] * 0.25;
}

// Global average: out [n·c] = mean of each h×w plane of a
@compute @workgroup_size(256)
fn gap_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    let hw = dims.h * dims.w;
    var acc = 0.0;
    for (var j = 0u; j < hw; j++) { acc += a[i * hw + j]; }
    out[i] = acc / f32(hw);
}

// a = dy [n·c]: dx += dy / (h·w)
@compute @workgroup_size(256)
fn gap_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    let hw = dims.h * dims.w;
    out[i] += a[i / hw] / f32(hw);
}
