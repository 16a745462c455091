//! The RMI loss on the GPU, β·(3 − Σ CKA) + (1 − β)·CE: cross-entropy on the logits and linear
//! CKA of each stage output against the reference's, each writing its scalar and its gradient.

use super::buffers::{u, Buffers};
use super::kernels::Kernel;
use super::program::{Buf, Dims, Grid, Prepared, Program};
use crate::proxy::graph::Graph;
use crate::Result;

/// What the loss compares with: per stage the reference's unit Gram matrix (zeros for a constant
/// representation), and the reference's labels.
pub struct LossInputs<'a> {
    pub images: &'a [f32],
    pub unit_grams: [&'a [f32]; 3],
    pub labels: &'a [u32],
    pub beta: f32,
}

/// CE on the logits and CKA on each stage, each writing its scalar and its gradient.
pub(super) fn dispatches(
    program: &mut Program,
    b: &Buffers,
    graph: &Graph,
    inputs: &LossInputs,
    scalars: Buf,
) -> Result<Vec<Prepared>> {
    let n = inputs.labels.len();
    let classes = graph.nodes[graph.logits].shape[0];
    let labels = program.upload_u32(inputs.labels);
    let mut out = vec![];
    let dims = Dims {
        n: u(n),
        oc: u(classes),
        s: [1.0 - inputs.beta, 0.0, 0.0, 0.0],
        ..Dims::default()
    };
    let logits = graph.logits;
    let binds = [(1, b.values[logits]), (2, labels), (3, b.grads[logits]), (4, scalars)];
    out.push(program.prepare(Kernel::CrossEntropy, dims, &binds, Grid::Groups(1))?);
    for (s, &stage) in graph.stages.iter().enumerate() {
        let d = graph.nodes[stage].len();
        let lhat = program.upload(inputs.unit_grams[s]);
        if program.len(lhat) != n * n {
            crate::bail!("stage {s}'s target Gram matrix is not {n} × {n}")
        }
        let xc = program.zeros(n * d);
        let gram = program.zeros(n * n);
        let raw = program.zeros(n);
        let coeff = program.zeros(n * n);
        let dxc = program.zeros(n * d);
        let dims = Dims {
            n: u(n),
            c: u(d),
            k: u(s + 1),
            s: [inputs.beta, 0.0, 0.0, 0.0],
            ..Dims::default()
        };
        let x = b.values[stage];
        out.push(program.prepare(Kernel::CkaCentre, dims, &[(1, x), (3, xc)], Grid::Threads(d))?);
        let binds = [(1, xc), (2, x), (3, gram), (4, raw)];
        out.push(program.prepare(Kernel::CkaGram, dims, &binds, Grid::Threads(n * n))?);
        let binds = [(1, gram), (2, lhat), (3, coeff), (4, scalars), (5, raw)];
        out.push(program.prepare(Kernel::CkaValue, dims, &binds, Grid::Groups(1))?);
        let binds = [(1, coeff), (2, xc), (3, dxc)];
        out.push(program.prepare(Kernel::CkaMix, dims, &binds, Grid::Threads(n * d))?);
        let binds = [(1, dxc), (3, b.grads[stage])];
        out.push(program.prepare(Kernel::CkaCentreBackward, dims, &binds, Grid::Threads(d))?);
    }
    Ok(out)
}
