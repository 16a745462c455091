// Linear CKA of a stage output x [n, d] against the reference's unit Gram matrix L̂ [n, n]
// (crate::cka): K = Xc·Xcᵀ, CKA = ⟨K, L̂⟩ / ‖K‖, and its gradient back to x.

@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> out2: array<f32>;
@group(0) @binding(5) var<storage, read> raw: array<f32>;

// The mean of feature f of `a` [n, c] over the n examples.
fn column_mean(f: u32) -> f32 {
    var sum = 0.0;
    for (var i = 0u; i < dims.n; i++) { sum += a[i * dims.c + f]; }
    return sum / f32(dims.n);
}

// a = x, out = xc: each feature minus its mean over the n examples; a thread per feature (c = d).
@compute @workgroup_size(256)
fn cka_centre(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
    let f = thread_index(wid, nwg, lid);
    if (f >= dims.c) { return; }
    let mean = column_mean(f);
    for (var i = 0u; i < dims.n; i++) { out[i * dims.c + f] = a[i * dims.c + f] - mean; }
}

// a = xc, b = x, out = K [n, n], out2 = Σ x² per example (for the constant test); a thread per
// (i, j), summing over the features in order, in blocks of GRAM_BLOCK whose sums are added up (as
// the CPU's GEMM adds its blocks along the inner dimension; one running sum over thousands of
// features rounds less like it and less accurately).
const GRAM_BLOCK: u32 = 256u;
@compute @workgroup_size(256)
fn cka_gram(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
    let e = thread_index(wid, nwg, lid);
    if (e >= dims.n * dims.n) { return; }
    let i = e / dims.n;
    let j = e % dims.n;
    var dot = 0.0;
    var raw = 0.0;
    for (var start = 0u; start < dims.c; start += GRAM_BLOCK) {
        var block = 0.0;
        for (var f = start; f < min(start + GRAM_BLOCK, dims.c); f++) {
            block += a[i * dims.c + f] * a[j * dims.c + f];
            raw += b[i * dims.c + f] * b[i * dims.c + f];
        }
        dot += block;
    }
    out[e] = dot;
    if (i == j) { out2[i] = raw; }
}

// a = K, b = L̂, raw = Σ x² per example, out = G = ∂loss/∂K [n, n], out2 = the scalars (CKA
// written at slot k).
// s0 = β: the loss holds −β·CKA. A constant representation (‖Xc‖² ≤ 1e-10·‖X‖²) has CKA 0 and
// no gradient, as on the CPU. A single workgroup.
@compute @workgroup_size(256)
fn cka_value(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
    let nn = dims.n * dims.n;
    var kk = 0.0;
    var kl = 0.0;
    for (var e = lid; e < nn; e += THREADS) {
        kk += a[e] * a[e];
        kl += a[e] * b[e];
    }
    partial[lid] = kk;
    partial2[lid] = kl;
    reduce_partials(lid);
    let sum_kk = partial[0];
    let sum_kl = partial2[0];
    workgroupBarrier();
    var centred = 0.0;
    var energy = 0.0;
    for (var i = lid; i < dims.n; i += THREADS) {
        centred += a[i * dims.n + i];
        energy += raw[i];
    }
    partial[lid] = centred;
    partial2[lid] = energy;
    reduce_partials(lid);
    let constant = partial[0] <= 1e-10 * partial2[0] || !(partial[0] == partial[0]);
    let norm = sqrt(sum_kk);
    let cka = select(sum_kl / norm, 0.0, constant);
    for (var e = lid; e < nn; e += THREADS) {
        let d_cka = b[e] / norm - sum_kl * a[e] / (norm * norm * norm);
        out[e] = select(-dims.s0 * d_cka, 0.0, constant);
    }
    if (lid == 0u) { out2[dims.k] = cka; }
}

// a = G [n, n], b = xc [n, d], out = ∂loss/∂xc = (G + Gᵀ)·xc; a thread per element (c = d).
@compute @workgroup_size(256)
fn cka_mix(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
    let t = thread_index(wid, nwg, lid);
    if (t >= dims.n * dims.c) { return; }
    let i = t / dims.c;
    let f = t % dims.c;
    var acc = 0.0;
    for (var j = 0u; j < dims.n; j++) {
        acc += (a[i * dims.n + j] + a[j * dims.n + i]) * b[j * dims.c + f];
    }
    out[t] = acc;
}

// a = ∂loss/∂xc, out = dx (accumulated): centring's backward, dx += dxc − its mean over examples.
@compute @workgroup_size(256)
fn cka_centre_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                       @builtin(local_invocation_index) lid: u32) {
    let f = thread_index(wid, nwg, lid);
    if (f >= dims.c) { return; }
    let mean = column_mean(f);
    for (var i = 0u; i < dims.n; i++) { out[i * dims.c + f] += a[i * dims.c + f] - mean; }
}
