// The cross-entropy half of the RMI loss, and the per-step record the score is read from.
// scalars [4]: CE, then the three stages' CKA.

@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(4) var<storage, read_write> scalars: array<f32>;
@group(0) @binding(5) var<storage, read_write> records: array<f32>;

// Mean CE of logits [n, oc] against the labels; dlogits += s0·(softmax − onehot)/n, s0 = 1 − β.
// A thread per example; thread 0 sums the losses.
@compute @workgroup_size(256)
fn cross_entropy(@builtin(local_invocation_index) lid: u32) {
    var loss = 0.0;
    for (var n = lid; n < dims.n; n += THREADS) {
        let row = n * dims.oc;
        var top = logits[row];
        for (var o = 1u; o < dims.oc; o++) { top = max(top, logits[row + o]); }
        var z = 0.0;
        for (var o = 0u; o < dims.oc; o++) { z += exp(logits[row + o] - top); }
        let label = labels[n];
        loss += log(z) + top - logits[row + label];
        for (var o = 0u; o < dims.oc; o++) {
            let p = exp(logits[row + o] - top) / z;
            dlogits[row + o] += dims.s0 * (p - select(0.0, 1.0, o == label)) / f32(dims.n);
        }
    }
    partial[lid] = loss;
    partial2[lid] = 0.0;
    reduce_partials(lid);
    if (lid == 0u) { scalars[0] = partial[0] / f32(dims.n); }
}

// records[4·step ..]: the loss β·(3 − Σ CKA) + (1 − β)·CE, then each stage's CKA (k = step, s0 = β).
@compute @workgroup_size(1)
fn record() {
    let cka = scalars[1] + scalars[2] + scalars[3];
    let at = dims.k * 4u;
    records[at] = dims.s0 * (3.0 - cka) + (1.0 - dims.s0) * scalars[0];
    records[at + 1u] = scalars[1];
    records[at + 2u] = scalars[2];
    records[at + 3u] = scalars[3];
}
