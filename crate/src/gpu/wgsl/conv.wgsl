// Convolution (grouped, square kernel, no bias): x [n, c, h, w], weight [oc, c/groups, k, k],
// y [n, oc, oh, ow]. With s0 ≠ 0 the input passes through a ReLU first (gpu/fuse.rs): x is the
// ReLU's input, and the input gradient is masked by it.

// Node gradients share one buffer (an arena), and WebGPU refuses a buffer bound both read-only and
// writable in one dispatch: a binding that may hold a gradient this kernel reads is declared
// read_write, though only read.
@group(0) @binding(1) var<storage, read_write> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> x: array<f32>;
@group(0) @binding(5) var<storage, read_write> dweight: array<f32>;

// An input value as the convolution sees it.
fn input(v: f32) -> f32 {
    return select(v, max(v, 0.0), dims.s0 != 0.0);
}

// a = x, b = weight, out = y; a thread per output element.
@compute @workgroup_size(256)
fn conv_forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
    let i = thread_index(wid, nwg, lid);
    if (i >= dims.total) { return; }
    let ow = i % dims.ow;
    let oh = (i / dims.ow) % dims.oh;
    let co = (i / (dims.ow * dims.oh)) % dims.oc;
    let n = i / (dims.ow * dims.oh * dims.oc);
    let cin_g = dims.c / dims.groups;
    let g = co / (dims.oc / dims.groups);
    var acc = 0.0;
    for (var ci = 0u; ci < cin_g; ci++) {
        let plane = (n * dims.c + g * cin_g + ci) * dims.h;
        for (var kh = 0u; kh < dims.k; kh++) {
            let ih = i32(oh * dims.stride + kh) - i32(dims.pad);
            if (ih < 0 || ih >= i32(dims.h)) { continue; }
            for (var kw = 0u; kw < dims.k; kw++) {
                let iw = i32(ow * dims.stride + kw) - i32(dims.pad);
                if (iw < 0 || iw >= i32(dims.w)) { continue; }
                acc += input(a[(plane + u32(ih)) * dims.w + u32(iw)]) * b[((co * cin_g + ci) * dims.k + kh) * dims.k + kw];
            }
        }
    }
    out[i] = acc;
}

// The backward pass, in one dispatch: a = dy, b = weight, x = the input; out = dx and
// dweight, both accumulated. Threads below `split` each compute an element of dx (none when the
// input takes no gradient: split = 0), the others an element of one copy of dweight.
@compute @workgroup_size(256)
fn conv_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
    let t = thread_index(wid, nwg, lid);
    if (t >= dims.total) { return; }
    if (t < dims.split) {
        input_gradient(t);
    } else {
        weight_gradient(t - dims.split);
    }
}

// dx[i], masked by the folded ReLU if any.
fn input_gradient(i: u32) {
    let iw = i % dims.w;
    let ih = (i / dims.w) % dims.h;
    let c = (i / (dims.w * dims.h)) % dims.c;
    let n = i / (dims.w * dims.h * dims.c);
    let cin_g = dims.c / dims.groups;
    let cout_g = dims.oc / dims.groups;
    let g = c / cin_g;
    let ci = c % cin_g;
    var acc = 0.0;
    for (var col = 0u; col < cout_g; col++) {
        let co = g * cout_g + col;
        for (var kh = 0u; kh < dims.k; kh++) {
            let th = i32(ih + dims.pad) - i32(kh);
            if (th < 0 || th % i32(dims.stride) != 0) { continue; }
            let oh = u32(th) / dims.stride;
            if (oh >= dims.oh) { continue; }
            for (var kw = 0u; kw < dims.k; kw++) {
                let tw = i32(iw + dims.pad) - i32(kw);
                if (tw < 0 || tw % i32(dims.stride) != 0) { continue; }
                let ow = u32(tw) / dims.stride;
                if (ow >= dims.ow) { continue; }
                acc += a[((n * dims.oc + co) * dims.oh + oh) * dims.ow + ow] * b[((co * cin_g + ci) * dims.k + kh) * dims.k + kw];
            }
        }
    }
    out[i] += select(acc, select(0.0, acc, x[i] > 0.0), dims.s0 != 0.0);
}

// The weight gradient's element e over the images of copy `copy` (all of them with one copy, else
// one image each: gpu/compile.rs's Buffers), summing over (n, oh, ow) in order, without workgroup
// barriers, which software adapters emulate slowly. Each image's positions are summed, then added
// to its copy's total, as the CPU's GEMM does per image: a single running sum over all n·oh·ow
// products rounds less like it (and less accurately). The update adds the copies up in order.
fn weight_gradient(t: u32) {
    let weights = (dims.total - dims.split) / dims.copies;
    let e = t % weights;
    let copy = t / weights;
    let images = dims.n / dims.copies;
    let kw = e % dims.k;
    let kh = (e / dims.k) % dims.k;
    let cin_g = dims.c / dims.groups;
    let ci = (e / (dims.k * dims.k)) % cin_g;
    let co = e / (dims.k * dims.k * cin_g);
    let c = (co / (dims.oc / dims.groups)) * cin_g + ci;
    var acc = 0.0;
    for (var n = copy * images; n < (copy + 1u) * images; n++) {
        var image = 0.0;
        for (var oh = 0u; oh < dims.oh; oh++) {
            let ih = i32(oh * dims.stride + kh) - i32(dims.pad);
            if (ih < 0 || ih >= i32(dims.h)) { continue; }
            let x_row = ((n * dims.c + c) * dims.h + u32(ih)) * dims.w;
            let dy_row = ((n * dims.oc + co) * dims.oh + oh) * dims.ow;
            for (var ow = 0u; ow < dims.ow; ow++) {
                let iw = i32(ow * dims.stride + kw) - i32(dims.pad);
                if (iw < 0 || iw >= i32(dims.w)) { continue; }
                image += input(x[x_row + u32(iw)]) * a[dy_row + ow];
            }
        }
        acc += image;
    }
    dweight[copy * dims.copy_stride + e] += acc;
}
