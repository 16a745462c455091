// Train-mode batch norm over x [n, c, h·w] with batch statistics; a workgroup per channel.
// stats [2c]: the channel's mean, then 1/√(var + ε), saved for the backward pass.

@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> beta: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;

// s0 = ε.
@compute @workgroup_size(256)
fn bn_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let ch = wid.x;
    let m = dims.n * dims.h * dims.w;
    var sum = 0.0;
    for (var j = lid; j < m; j += THREADS) { sum += x[channel_at(j, ch)]; }
    partial[lid] = sum;
    partial2[lid] = 0.0;
    reduce_partials(lid);
    let mean = partial[0] / f32(m);
    workgroupBarrier();
    var sq = 0.0;
    for (var j = lid; j < m; j += THREADS) {
        let d = x[channel_at(j, ch)] - mean;
        sq += d * d;
    }
    partial[lid] = sq;
    partial2[lid] = 0.0;
    reduce_partials(lid);
    let inv_std = 1.0 / sqrt(partial[0] / f32(m) + dims.s0);
    for (var j = lid; j < m; j += THREADS) {
        let i = channel_at(j, ch);
        y[i] = (x[i] - mean) * inv_std * gamma[ch] + beta[ch];
    }
    if (lid == 0u) {
        stats[ch] = mean;
        stats[dims.c + ch] = inv_std;
    }
}
