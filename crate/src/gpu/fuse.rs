//! Operations the GPU compiler merges to save dispatches, where merging changes no value: on a real
//! GPU a step's cost is mostly its dispatch count, not its arithmetic.
//!
//! A ReLU read only by one convolution (NB201's ReLU → conv → BN, FBNet's BN → ReLU → depthwise
//! conv) is not computed on its own: the convolution applies it as it reads its input, and the
//! convolution's input gradient is masked by it and written to the ReLU's input. That dispatch is
//! recorded where the ReLU's backward would have been, so every gradient is summed in the same
//! order as unfused, and the scores are the same bit for bit.

use crate::proxy::graph::{Graph, NodeId, Op};

/// Which ReLUs are folded into the convolution reading them.
pub struct Fusion {
    /// Per node: for a convolution reading a folded ReLU, that ReLU.
    relu_of_conv: Vec<Option<NodeId>>,
    /// Per node: for a folded ReLU, the convolution reading it.
    conv_of_relu: Vec<Option<NodeId>>,
}

impl Fusion {
    /// Every operation a dispatch of its own (for checking kernels one operation at a time).
    pub fn none(graph: &Graph) -> Self {
        Self {
            relu_of_conv: vec![None; graph.nodes.len()],
            conv_of_relu: vec![None; graph.nodes.len()],
        }
    }

    /// Folds each ReLU whose only reader is a convolution (and that is no stage output or logits).
    pub fn of(graph: &Graph) -> Self {
        let mut readers = vec![0usize; graph.nodes.len()];
        for node in &graph.nodes {
            for x in node.op.inputs() {
                readers[x] += 1;
            }
        }
        for &out in graph.stages.iter().chain([&graph.logits]) {
            readers[out] += 1;
        }
        let mut fusion = Self::none(graph);
        for (id, node) in graph.nodes.iter().enumerate() {
            if let Op::Conv { x, .. } = node.op {
                if matches!(graph.nodes[x].op, Op::Relu { .. }) && readers[x] == 1 {
                    fusion.relu_of_conv[id] = Some(x);
                    fusion.conv_of_relu[x] = Some(id);
                }
            }
        }
        fusion
    }

    /// The folded ReLU convolution `id` reads through, if any.
    pub fn relu_of_conv(&self, id: NodeId) -> Option<NodeId> {
        self.relu_of_conv[id]
    }

    /// The convolution that folded ReLU `id`, if it is folded.
    pub fn conv_of_relu(&self, id: NodeId) -> Option<NodeId> {
        self.conv_of_relu[id]
    }
}
