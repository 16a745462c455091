// The backward pass of batch_norm.wgsl: dx += γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)),
// dγ += Σ dy·x̂, dβ += Σ dy; a workgroup per channel.

// Node gradients share one buffer (an arena), and WebGPU refuses a buffer bound both read-only and
// writable in one dispatch: a binding that may hold a gradient this kernel reads is declared
// read_write, though only read.
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> dy: array<f32>;
@group(0) @binding(3) var<storage, read> gamma: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(7) var<storage, read_write> dbeta: array<f32>;

@compute @workgroup_size(256)
fn bn_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let ch = wid.x;
    let m = dims.n * dims.h * dims.w;
    let mean = stats[ch];
    let inv_std = stats[dims.c + ch];
    var s_dy = 0.0;
    var s_dyx = 0.0;
    for (var j = lid; j < m; j += THREADS) {
        let i = channel_at(j, ch);
        s_dy += dy[i];
        s_dyx += dy[i] * (x[i] - mean) * inv_std;
    }
    partial[lid] = s_dy;
    partial2[lid] = s_dyx;
    reduce_partials(lid);
    let mean_dy = partial[0] / f32(m);
    let mean_dyx = partial2[0] / f32(m);
    let scale = gamma[ch] * inv_std;
    for (var j = lid; j < m; j += THREADS) {
        let i = channel_at(j, ch);
        let xhat = (x[i] - mean) * inv_std;
        dx[i] += scale * (dy[i] - mean_dy - xhat * mean_dyx);
    }
    if (lid == 0u) {
        dgamma[ch] += partial2[0];
        dbeta[ch] += partial[0];
    }
}
