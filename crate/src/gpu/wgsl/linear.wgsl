// Fully connected layer: x [n, c], weight [oc, c], bias [oc], y [n, oc].

// Node gradients share one buffer (an arena), and WebGPU refuses a buffer bound both read-only and
// writable in one dispatch: a binding that may hold a gradient this kernel reads is declared
// read_write, though only read.
@group(0) @binding(1) var<storage, read_write> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

// a = x, b = weight, out = y: a thread per (n, o)
@compute @workgroup_size(256)
fn linear_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    let o = i % dims.oc;
    let n = i / dims.oc;
    var acc = 0.0;
    for (var j = 0u; j < dims.c; j++) { acc += a[n * dims.c + j] * b[o * dims.c + j]; }
    out[i] = acc + bias[o];
}

// a = dy, b = weight, out = dx (accumulated): a thread per (n, j)
@compute @workgroup_size(256)
fn linear_backward_data(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                        @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    let j = i % dims.c;
    let n = i / dims.c;
    var acc = 0.0;
    for (var o = 0u; o < dims.oc; o++) { acc += a[n * dims.oc + o] * b[o * dims.c + j]; }
    out[i] += acc;
}

// a = x, b = dy, out = dweight (accumulated): a thread per (o, j)
@compute @workgroup_size(256)
fn linear_backward_weight(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                          @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    let j = i % dims.c;
    let o = i / dims.c;
    var acc = 0.0;
    for (var n = 0u; n < dims.n; n++) { acc += b[n * dims.oc + o] * a[n * dims.c + j]; }
    out[i] += acc;
}
