// SGD with momentum and weight decay (PyTorch's rule), a thread per parameter element:
// d = g + wd·p;  b = μ·b + d;  p ← p − lr·b. The momentum buffer starts at zero, so the first step
// gives b = d exactly. s0 = lr, s1 = μ, s2 = wd. The gradient g is the sum, in order, of its
// `copies` copies (one per image for convolution weights; gpu/compile.rs's Buffers).

@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> momentum: array<f32>;

@compute @workgroup_size(256)
fn sgd_step(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    var g = grad[i];
    for (var c = 1u; c < dims.copies; c++) { g += grad[i + c * dims.copy_stride]; }
    let d = g + dims.s2 * param[i];
    let m = dims.s1 * momentum[i] + d;
    momentum[i] = m;
    param[i] = param[i] - dims.s0 * m;
}
