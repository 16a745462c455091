//! Single operations run on the GPU from given inputs, with their results read back: what the
//! kernel tests compare with candle's, so that each kernel is checked apart from the rounding a
//! whole network accumulates.

use super::buffers::allocate;
use super::compile::{backward, compile, forward, Sgd};
use super::context::Gpu;
use super::fuse::Fusion;
use super::loss::LossInputs;
use super::program::{Buf, Program};
use crate::proxy::graph::{Graph, NodeId, Op};
use crate::Result;

/// A node's forward output and what its backward pass gave its inputs and parameters.
pub struct NodePass {
    pub value: Vec<f32>,
    /// The gradient passed to each input node (absent for the images and for zeros).
    pub input_grads: Vec<(NodeId, Vec<f32>)>,
    /// Each parameter's gradient, in the graph's order (zeros for those the node does not use).
    pub param_grads: Vec<Vec<f32>>,
}

/// Runs node `id` forward on `inputs` (each input node's value) and backward from `dy`, as its
/// own dispatches.
pub async fn node_pass(
    gpu: &Gpu,
    graph: &Graph,
    id: NodeId,
    batch: usize,
    inputs: &[(NodeId, Vec<f32>)],
    params: &[Vec<f32>],
    dy: &[f32],
) -> Result<NodePass> {
    let writes: Vec<NodeId> = graph.nodes[id].op.inputs();
    run(gpu, graph, &Fusion::none(graph), id, batch, inputs, params, dy, writes).await
}

/// Runs convolution `conv` through the ReLU it reads, folded as training folds it (gpu/fuse.rs),
/// from `inputs` (the ReLU's input's value); an error where training does not fold that ReLU.
pub async fn folded_pass(
    gpu: &Gpu,
    graph: &Graph,
    conv: NodeId,
    batch: usize,
    inputs: &[(NodeId, Vec<f32>)],
    params: &[Vec<f32>],
    dy: &[f32],
) -> Result<NodePass> {
    let fusion = Fusion::of(graph);
    let Some(relu) = fusion.relu_of_conv(conv) else {
        crate::bail!("node {conv} reads no folded ReLU")
    };
    let writes = graph.nodes[relu].op.inputs();
    run(gpu, graph, &fusion, conv, batch, inputs, params, dy, writes).await
}

#[allow(clippy::too_many_arguments)]
async fn run(
    gpu: &Gpu,
    graph: &Graph,
    fusion: &Fusion,
    id: NodeId,
    batch: usize,
    inputs: &[(NodeId, Vec<f32>)],
    params: &[Vec<f32>],
    dy: &[f32],
    writes: Vec<NodeId>,
) -> Result<NodePass> {
    let mut program = Program::new(gpu)?;
    let b = allocate(&mut program, graph, batch, params)?;
    for (x, value) in inputs {
        program.write(b.values[*x], value)?;
    }
    program.write(b.grads[id], dy)?;
    let fwd = forward(&mut program, &b, graph, fusion, id, batch)?;
    let mut bwd = backward(&mut program, &b, graph, fusion, id, batch)?;
    // A folded ReLU's place in the backward pass is where its convolution's input gradient goes.
    if let Some(relu) = fusion.relu_of_conv(id) {
        bwd.extend(backward(&mut program, &b, graph, fusion, relu, batch)?);
    }
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    program.encode(&mut encoder, &fwd);
    program.encode(&mut encoder, &bwd);
    let grad_inputs: Vec<NodeId> = writes
        .into_iter()
        .filter(|&x| !matches!(graph.nodes[x].op, Op::Input | Op::Zeros { .. }))
        .collect();
    let grads = &b.param_grads;
    let mut reads: Vec<Buf> = vec![b.values[id], grads.whole];
    reads.extend(grad_inputs.iter().map(|&x| b.grads[x]));
    let mut read = program.submit_and_read(encoder, &reads).await?.into_iter();
    let value = read.next().unwrap_or_default();
    let all = read.next().unwrap_or_default();
    // Each parameter's gradient as the update sees it: its copies added up in order.
    let value_at = |i: usize| all.get(i).copied().unwrap_or(f32::NAN);
    let param_grads = grads
        .parts
        .iter()
        .map(|&part| {
            let (at, len) = (program.offset(part), program.len(part));
            (0..len)
                .map(|i| {
                    let copies = (0..grads.copies).map(|c| value_at(at + c * grads.stride + i));
                    copies.reduce(|g, v| g + v).unwrap_or(f32::NAN)
                })
                .collect()
        })
        .collect();
    Ok(NodePass {
        value,
        input_grads: grad_inputs.into_iter().zip(read).collect(),
        param_grads,
    })
}

/// The loss's scalars (CE, then each stage's CKA) and its gradients with respect to each stage
/// output and the logits, from given values of those nodes.
pub struct LossPass {
    pub scalars: Vec<f32>,
    pub stage_grads: Vec<Vec<f32>>,
    pub logits_grad: Vec<f32>,
}

pub async fn loss_pass(
    gpu: &Gpu,
    graph: &Graph,
    params: &[Vec<f32>],
    inputs: &LossInputs<'_>,
    values: &[(NodeId, Vec<f32>)],
) -> Result<LossPass> {
    let sgd = Sgd {
        lr: 0.0,
        momentum: 0.0,
        weight_decay: 0.0,
    };
    let c = compile(Program::new(gpu)?, graph, params, inputs, sgd)?;
    for (x, value) in values {
        c.program.write(c.buffers.values[*x], value)?;
    }
    let mut encoder = gpu.device.create_command_encoder(&Default::default());
    c.program.encode(&mut encoder, &c.loss);
    let mut reads = vec![c.scalars, c.buffers.grads[graph.logits]];
    reads.extend(graph.stages.iter().map(|&s| c.buffers.grads[s]));
    let mut read = c.program.submit_and_read(encoder, &reads).await?.into_iter();
    Ok(LossPass {
        scalars: read.next().unwrap_or_default(),
        logits_grad: read.next().unwrap_or_default(),
        stage_grads: read.collect(),
    })
}
