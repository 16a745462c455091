//! A proxy graph (crate::proxy::graph) turned into GPU buffers and dispatches: the forward pass,
//! the RMI loss and its gradient (gpu/loss.rs), the backward pass and the SGD update, for one
//! batch size.
//! Gradients are accumulated (`+=`), so a node read by several operations gets their sum; the
//! gradient arenas are cleared at the start of a step. Where merging operations changes no value,
//! they share a dispatch (gpu/fuse.rs).

use super::buffers::{allocate, nchw, u, Buffers};
use super::fuse::Fusion;
use super::kernels::Kernel;
use super::loss::LossInputs;
use super::program::{Buf, Dims, Grid, Prepared, Program};
use crate::proxy::graph::{Graph, Node, Op};
use crate::Result;

/// SGD's settings.
#[derive(Clone, Copy, Debug)]
pub struct Sgd {
    pub lr: f32,
    pub momentum: f32,
    pub weight_decay: f32,
}

/// A graph ready to run: dispatches for each phase of a step.
pub(super) struct Compiled<'g> {
    pub program: Program<'g>,
    // Read by the kernel check (gpu/check.rs, developer builds only).
    #[cfg_attr(not(feature = "devtools"), allow(dead_code))]
    pub buffers: Buffers,
    pub forward: Vec<Prepared>,
    pub loss: Vec<Prepared>,
    pub backward: Vec<Prepared>,
    pub update: Vec<Prepared>,
    /// Cleared at the start of every step.
    pub clear: Vec<Buf>,
    /// The loss's scalars: CE, then each stage's CKA.
    pub scalars: Buf,
}

/// The forward dispatches of `node` (index `id`).
pub(super) fn forward(
    program: &mut Program,
    b: &Buffers,
    graph: &Graph,
    fusion: &Fusion,
    id: usize,
    batch: usize,
) -> Result<Vec<Prepared>> {
    let node = &graph.nodes[id];
    let out = b.values[id];
    let total = batch * node.len();
    let input_shape = |x: usize| graph.nodes[x].shape;
    Ok(match node.op {
        Op::Input | Op::Zeros { .. } => vec![],
        Op::Relu { .. } if fusion.conv_of_relu(id).is_some() => vec![],
        Op::Conv { x, weight, k, spec } => {
            let (input, dims) = conv_input(
                graph,
                fusion,
                id,
                conv_dims(batch, input_shape(x), node, k, spec, total),
            );
            let binds = [(1, b.values[input]), (2, b.params[weight]), (3, out)];
            vec![program.prepare(Kernel::ConvForward, dims, &binds, Grid::Threads(total))?]
        }
        Op::BatchNorm { x, weight, bias } => {
            let mut dims = nchw(batch, node.shape, total);
            dims.s[0] = 1e-5;
            let stats = b.bn_stats[id].unwrap_or(out);
            let binds = [
                (1, b.values[x]),
                (2, b.params[weight]),
                (3, b.params[bias]),
                (4, out),
                (5, stats),
            ];
            vec![program.prepare(Kernel::BnForward, dims, &binds, Grid::Groups(node.shape[0]))?]
        }
        Op::Relu { x } => unary(
            program,
            Kernel::ReluForward,
            nchw(batch, node.shape, total),
            b.values[x],
            out,
        )?,
        Op::AvgPool3 { x } | Op::AvgPool2 { x } | Op::GlobalAvgPool { x } => {
            let Some(pool) = Pool::of(node.op) else {
                return Ok(vec![]);
            };
            let shape = pool.dims_shape(node.shape, input_shape(x));
            unary(program, pool.forward, nchw(batch, shape, total), b.values[x], out)?
        }
        Op::Add { a, b: other } => {
            let binds = [(1, b.values[a]), (2, b.values[other]), (3, out)];
            let dims = nchw(batch, node.shape, total);
            vec![program.prepare(Kernel::AddForward, dims, &binds, Grid::Threads(total))?]
        }
        Op::Linear { x, weight, bias } => {
            let dims = linear_dims(batch, input_shape(x)[0], node.shape[0], total);
            let binds = [(1, b.values[x]), (2, b.params[weight]), (3, out), (4, b.params[bias])];
            vec![program.prepare(Kernel::LinearForward, dims, &binds, Grid::Threads(total))?]
        }
    })
}

/// The backward dispatches of `node`: its gradient passed to its inputs and parameters.
pub(super) fn backward(
    program: &mut Program,
    b: &Buffers,
    graph: &Graph,
    fusion: &Fusion,
    id: usize,
    batch: usize,
) -> Result<Vec<Prepared>> {
    let node = &graph.nodes[id];
    let dy = b.grads[id];
    let needs_grad = |x: usize| !matches!(graph.nodes[x].op, Op::Input | Op::Zeros { .. });
    let input_shape = |x: usize| graph.nodes[x].shape;
    let mut out = vec![];
    match node.op {
        Op::Input | Op::Zeros { .. } => {}
        // A convolution's backward pass goes where its folded ReLU's would (gpu/fuse.rs).
        Op::Conv { x, .. } if fusion.relu_of_conv(id).is_none() => {
            out.push(conv_backward(program, b, graph, fusion, id, needs_grad(x), batch)?);
        }
        Op::Conv { .. } => {}
        Op::Relu { x } if let Some(conv) = fusion.conv_of_relu(id) => {
            out.push(conv_backward(program, b, graph, fusion, conv, needs_grad(x), batch)?);
        }
        Op::BatchNorm { x, weight, bias } => {
            let dims = nchw(batch, node.shape, batch * node.len());
            let binds = [
                (1, b.values[x]),
                (2, dy),
                (3, b.params[weight]),
                (4, b.bn_stats[id].unwrap_or(dy)),
                (5, b.grads[x]),
                (6, b.param_grads.parts[weight]),
                (7, b.param_grads.parts[bias]),
            ];
            out.push(program.prepare(Kernel::BnBackward, dims, &binds, Grid::Groups(node.shape[0]))?);
        }
        Op::Relu { x } if needs_grad(x) => {
            let total = batch * node.len();
            let binds = [(1, b.values[x]), (2, dy), (3, b.grads[x])];
            let dims = nchw(batch, node.shape, total);
            out.push(program.prepare(Kernel::ReluBackward, dims, &binds, Grid::Threads(total))?);
        }
        Op::AvgPool3 { x } | Op::AvgPool2 { x } | Op::GlobalAvgPool { x } if needs_grad(x) => {
            if let Some(pool) = Pool::of(node.op) {
                let dims = nchw(
                    batch,
                    pool.dims_shape(node.shape, input_shape(x)),
                    batch * graph.nodes[x].len(),
                );
                out.extend(unary(program, pool.backward, dims, dy, b.grads[x])?);
            }
        }
        Op::Add { a, b: other } => {
            let dims = nchw(batch, node.shape, batch * node.len());
            let grid = Grid::Threads(batch * node.len());
            match (needs_grad(a), needs_grad(other)) {
                // One dispatch for both terms, unless they are one node (two writes to one place).
                (true, true) if a != other => {
                    let binds = [(1, dy), (3, b.grads[a]), (4, b.grads[other])];
                    out.push(program.prepare(Kernel::AccumulateBoth, dims, &binds, grid)?);
                }
                (grad_a, grad_other) => {
                    for x in [(a, grad_a), (other, grad_other)].into_iter().filter(|t| t.1) {
                        out.extend(unary(program, Kernel::Accumulate, dims, dy, b.grads[x.0])?);
                    }
                }
            }
        }
        Op::Linear { x, weight, bias } => {
            let (c_in, c_out) = (input_shape(x)[0], node.shape[0]);
            if needs_grad(x) {
                let dims = linear_dims(batch, c_in, c_out, batch * c_in);
                let binds = [(1, dy), (2, b.params[weight]), (3, b.grads[x])];
                out.push(program.prepare(Kernel::LinearBackwardData, dims, &binds, Grid::Threads(batch * c_in))?);
            }
            let dims = linear_dims(batch, c_in, c_out, c_in * c_out);
            let binds = [(1, b.values[x]), (2, dy), (3, b.param_grads.parts[weight])];
            out.push(program.prepare(Kernel::LinearBackwardWeight, dims, &binds, Grid::Threads(c_in * c_out))?);
            let binds = [(1, dy), (2, b.param_grads.parts[bias])];
            out.push(program.prepare(Kernel::LinearBackwardBias, dims, &binds, Grid::Threads(c_out))?);
        }
        Op::Relu { .. } | Op::AvgPool3 { .. } | Op::AvgPool2 { .. } | Op::GlobalAvgPool { .. } => {}
    }
    Ok(out)
}

/// A pooling's kernels, and whether its `Dims` hold the output's shape or the input's.
struct Pool {
    forward: Kernel,
    backward: Kernel,
    input_dims: bool,
}

impl Pool {
    fn of(op: Op) -> Option<Pool> {
        let (forward, backward, input_dims) = match op {
            Op::AvgPool3 { .. } => (Kernel::Pool3Forward, Kernel::Pool3Backward, false),
            Op::AvgPool2 { .. } => (Kernel::Pool2Forward, Kernel::Pool2Backward, true),
            Op::GlobalAvgPool { .. } => (Kernel::GapForward, Kernel::GapBackward, true),
            _ => return None,
        };
        Some(Pool {
            forward,
            backward,
            input_dims,
        })
    }

    fn dims_shape(&self, output: [usize; 3], input: [usize; 3]) -> [usize; 3] {
        if self.input_dims {
            input
        } else {
            output
        }
    }
}

/// The node a convolution's kernels read as input, and its dims: through a folded ReLU, the
/// ReLU's input, with the kernels told to apply it (`s[0]`).
fn conv_input(graph: &Graph, fusion: &Fusion, conv: usize, mut dims: Dims) -> (usize, Dims) {
    let Op::Conv { x, .. } = graph.nodes[conv].op else {
        return (conv, dims);
    };
    match fusion.relu_of_conv(conv).map(|relu| graph.nodes[relu].op) {
        Some(Op::Relu { x: under }) => {
            dims.s[0] = 1.0;
            (under, dims)
        }
        _ => (x, dims),
    }
}

/// Convolution `conv`'s backward pass in one dispatch: its weight gradient and, `with_input`,
/// its input gradient, written to its input (or through a folded ReLU, masked, to the ReLU's).
fn conv_backward(
    program: &mut Program,
    b: &Buffers,
    graph: &Graph,
    fusion: &Fusion,
    conv: usize,
    with_input: bool,
    batch: usize,
) -> Result<Prepared> {
    let node = &graph.nodes[conv];
    let Op::Conv { x, weight, k, spec } = node.op else {
        crate::bail!("node {conv} is not a convolution")
    };
    let split = if with_input { batch * graph.nodes[x].len() } else { 0 };
    let grads = &b.param_grads;
    let total = split + graph.params[weight].len() * grads.copies;
    let dims = Dims {
        split: u(split),
        copies: u(grads.copies),
        copy_stride: u(grads.stride),
        ..conv_dims(batch, graph.nodes[x].shape, node, k, spec, total)
    };
    let (input, dims) = conv_input(graph, fusion, conv, dims);
    let dweight = program.with_copies(grads, weight);
    let binds = [
        (1, b.grads[conv]),
        (2, b.params[weight]),
        (3, b.grads[input]),
        (4, b.values[input]),
        (5, dweight),
    ];
    program.prepare(Kernel::ConvBackward, dims, &binds, Grid::Threads(total))
}

fn unary(program: &mut Program, kernel: Kernel, dims: Dims, a: Buf, out: Buf) -> Result<Vec<Prepared>> {
    let total = dims.total as usize;
    Ok(vec![program.prepare(
        kernel,
        dims,
        &[(1, a), (3, out)],
        Grid::Threads(total),
    )?])
}

fn conv_dims(
    batch: usize,
    [c, h, w]: [usize; 3],
    node: &Node,
    k: usize,
    spec: crate::kernels::Conv2dSpec,
    total: usize,
) -> Dims {
    let [oc, oh, ow] = node.shape;
    Dims {
        n: u(batch),
        c: u(c),
        h: u(h),
        w: u(w),
        oc: u(oc),
        oh: u(oh),
        ow: u(ow),
        k: u(k),
        stride: u(spec.stride),
        pad: u(spec.padding),
        groups: u(spec.groups),
        total: u(total),
        ..Dims::default()
    }
}

fn linear_dims(batch: usize, c_in: usize, c_out: usize, total: usize) -> Dims {
    Dims {
        n: u(batch),
        c: u(c_in),
        oc: u(c_out),
        total: u(total),
        ..Dims::default()
    }
}

/// Compiles the training of `graph` on `inputs` (batch size from the labels).
pub(super) fn compile<'g>(
    mut program: Program<'g>,
    graph: &Graph,
    initial: &[Vec<f32>],
    inputs: &LossInputs,
    sgd: Sgd,
) -> Result<Compiled<'g>> {
    let batch = inputs.labels.len();
    if inputs.images.len() != batch * graph.nodes[0].len() {
        crate::bail!("{} image values for {batch} labels", inputs.images.len())
    }
    let b = allocate(&mut program, graph, batch, initial)?;
    // The images are the input node's value, written once.
    program.write(b.values[0], inputs.images)?;

    let fusion = Fusion::of(graph);
    let mut fwd = vec![];
    let mut bwd = vec![];
    for id in 0..graph.nodes.len() {
        fwd.extend(forward(&mut program, &b, graph, &fusion, id, batch)?);
    }
    for id in (0..graph.nodes.len()).rev() {
        bwd.extend(backward(&mut program, &b, graph, &fusion, id, batch)?);
    }
    let scalars = program.zeros(4);
    let loss = super::loss::dispatches(&mut program, &b, graph, inputs, scalars)?;
    // Every parameter follows the same rule, so one dispatch over the arenas updates them all
    // (the padding between parameters stays zero: no gradient, no value, no momentum).
    let dims = Dims {
        total: u(program.len(b.all_params)),
        copies: u(b.param_grads.copies),
        copy_stride: u(b.param_grads.stride),
        s: [sgd.lr, sgd.momentum, sgd.weight_decay, 0.0],
        ..Dims::default()
    };
    let binds = [(1, b.param_grads.whole), (2, b.all_params), (3, b.all_momenta)];
    let update = vec![program.prepare(Kernel::Sgd, dims, &binds, Grid::Threads(program.len(b.all_params)))?];
    let clear = vec![b.all_grads, b.param_grads.whole];
    Ok(Compiled {
        program,
        buffers: b,
        forward: fwd,
        loss,
        backward: bwd,
        update,
        clear,
        scalars,
    })
}
