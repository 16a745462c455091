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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::Conv2dSpec;
    use crate::proxy::graph::Node;
    use crate::{Arch, ProxyConfig, Space};

    fn node(op: Op) -> Node {
        Node { op, shape: [2, 4, 4] }
    }

    fn conv(x: NodeId) -> Op {
        let spec = Conv2dSpec {
            stride: 1,
            padding: 1,
            groups: 1,
        };
        Op::Conv {
            x,
            weight: 0,
            k: 3,
            spec,
        }
    }

    #[test]
    fn the_relus_each_read_by_one_convolution_fold_in_both_proxies() -> crate::Result<()> {
        let cell = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_3x3~1|nor_conv_3x3~2|";
        let graph = crate::proxy::graph(&Arch::parse(Space::Nb201, cell)?, &ProxyConfig::default(), 10)?;
        let fusion = Fusion::of(&graph);
        // The head's ReLU is read by the global pooling; every other one by one edge's convolution.
        let head = graph.nodes.iter().find_map(|n| match n.op {
            Op::GlobalAvgPool { x } => Some(x),
            _ => None,
        });
        for (id, n) in graph.nodes.iter().enumerate() {
            if let Op::Relu { .. } = n.op {
                let conv = fusion.conv_of_relu(id);
                assert_eq!(conv.is_none(), Some(id) == head, "ReLU {id}");
                assert!(conv.is_none_or(|c| fusion.relu_of_conv(c) == Some(id)));
            }
        }
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(5);
        let graph = crate::proxy::graph(&Space::Fbnet.sample(&mut rng), &ProxyConfig::default(), 10)?;
        let fusion = Fusion::of(&graph);
        let mut depthwise = 0;
        for (id, n) in graph.nodes.iter().enumerate() {
            if let Op::Conv { x, spec, .. } = n.op {
                if spec.groups == graph.nodes[x].shape[0] && matches!(graph.nodes[x].op, Op::Relu { .. }) {
                    assert_eq!(fusion.relu_of_conv(id), Some(x));
                    depthwise += 1;
                }
            }
        }
        assert!(depthwise > 0);
        Ok(())
    }

    #[test]
    fn a_relu_read_twice_or_returned_is_computed() {
        // 0 input, 1 ReLU read by convolutions 2 and 3; 4 ReLU read by convolution 5 and a stage.
        let nodes = [
            Op::Input,
            Op::Relu { x: 0 },
            conv(1),
            conv(1),
            Op::Relu { x: 3 },
            conv(4),
        ];
        let graph = Graph {
            params: vec![],
            nodes: nodes.into_iter().map(node).collect(),
            stages: [2, 4, 5],
            logits: 5,
        };
        let fusion = Fusion::of(&graph);
        assert!((0..6).all(|id| fusion.conv_of_relu(id).is_none() && fusion.relu_of_conv(id).is_none()));
        // The same, the stage moved off the second ReLU: that one folds.
        let fusion = Fusion::of(&Graph {
            stages: [2, 3, 5],
            ..graph
        });
        assert_eq!((fusion.conv_of_relu(4), fusion.relu_of_conv(5)), (Some(5), Some(4)));
        assert_eq!(fusion.conv_of_relu(1), None);
    }
}
