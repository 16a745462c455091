// dbias [oc] += Σ_n dy [n, oc]: a thread per output.

@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read_write> dbias: array<f32>;

@compute @workgroup_size(256)
fn linear_backward_bias(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                        @builtin(local_invocation_index) lid: u32) {
    let o = thread_index(wid, nwg, lid);
    if (o >= dims.oc) { return; }
    var acc = 0.0;
    for (var n = 0u; n < dims.n; n++) { acc += dy[n * dims.oc + o]; }
    dbias[o] += acc;
}
