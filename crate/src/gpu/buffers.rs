//! The GPU buffers of a compiled proxy graph ([`Buffers`]) and their allocation: what the
//! forward and backward dispatches (`compile.rs`) and the loss's (`loss.rs`) read and write.

use super::program::{Arena, Buf, Dims, Program};
use crate::proxy::graph::{Graph, Op};
use crate::Result;

/// The buffers of a compiled graph. The node gradients and each of the parameters, their
/// gradients and their momenta share one arena apiece, so that a step clears all its gradients
/// with two commands and updates all its parameters with one dispatch (see [`Program::arena`]).
///
/// The parameter gradients are kept once per image where that fits a binding: a convolution's
/// weight gradient is then summed over each image's positions by a thread per (weight, image),
/// in parallel, and the update adds the images' sums up in order, as one thread did before (the
/// same value, bit for bit). Other parameters write the first copy; the rest stay zero for them.
pub(super) struct Buffers {
    pub values: Vec<Buf>,
    pub grads: Vec<Buf>,
    pub params: Vec<Buf>,
    /// Each parameter's gradient (its parts are the first copy; 1 copy, or one per image).
    pub param_grads: Arena,
    pub bn_stats: Vec<Option<Buf>>,
    /// The other arenas, whole: node gradients, parameters, their momenta.
    pub all_grads: Buf,
    pub all_params: Buf,
    pub all_momenta: Buf,
}

pub(super) fn u(v: usize) -> u32 {
    v as u32
}

/// Dims of an `[n, c, h, w]` tensor with `total` elements written.
pub(super) fn nchw(n: usize, [c, h, w]: [usize; 3], total: usize) -> Dims {
    Dims {
        n: u(n),
        c: u(c),
        h: u(h),
        w: u(w),
        total: u(total),
        ..Dims::default()
    }
}

/// Allocates a graph's buffers for `batch` examples, with `initial` parameter values.
pub(super) fn allocate(program: &mut Program, graph: &Graph, batch: usize, initial: &[Vec<f32>]) -> Result<Buffers> {
    if initial.len() != graph.params.len() {
        crate::bail!(
            "{} parameter values for {} parameters",
            initial.len(),
            graph.params.len()
        )
    }
    for (spec, value) in graph.params.iter().zip(initial) {
        if value.len() != spec.len() {
            crate::bail!(
                "parameter {} has {} values, expected {}",
                spec.name,
                value.len(),
                spec.len()
            )
        }
    }
    let mut values = vec![];
    let mut bn_stats = vec![];
    for node in &graph.nodes {
        values.push(program.zeros(batch * node.len()));
        bn_stats.push(match node.op {
            Op::BatchNorm { .. } => Some(program.zeros(2 * node.shape[0])),
            _ => None,
        });
    }
    let node_lens: Vec<usize> = graph.nodes.iter().map(|n| batch * n.len()).collect();
    let grads = program.arena(&node_lens, 1);
    let param_lens: Vec<usize> = graph.params.iter().map(|p| p.len()).collect();
    let params = program.arena(&param_lens, 1);
    for (&buf, value) in params.parts.iter().zip(initial) {
        program.write(buf, value)?;
    }
    let param_grads = program.arena(&param_lens, batch);
    let momenta = program.arena(&param_lens, 1);
    Ok(Buffers {
        values,
        grads: grads.parts,
        params: params.parts,
        param_grads,
        bn_stats,
        all_grads: grads.whole,
        all_params: params.whole,
        all_momenta: momenta.whole,
    })
}
