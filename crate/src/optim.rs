//! SGD with momentum and weight decay, with PyTorch's semantics (the optimiser RMI-NAS uses):
//! d = g + wd·p;  b = μ·b + d (b = d on the first step);  p ← p − lr·b.
//! candle-nn's `SGD` has neither momentum nor weight decay.

use candle_core::backprop::GradStore;
use candle_core::{Result, Tensor, Var};

pub struct SgdMomentum {
    vars: Vec<Var>,
    buffers: Vec<Option<Tensor>>,
    pub lr: f64,
    momentum: f64,
    weight_decay: f64,
}

impl SgdMomentum {
    pub fn new(vars: Vec<Var>, lr: f64, momentum: f64, weight_decay: f64) -> Self {
        let buffers = vec![None; vars.len()];
        Self {
            vars,
            buffers,
            lr,
            momentum,
            weight_decay,
        }
    }

    pub fn step(&mut self, grads: &GradStore) -> Result<()> {
        for (var, buf) in self.vars.iter().zip(self.buffers.iter_mut()) {
            let Some(g) = grads.get(var) else { continue };
            // Detached: `var * wd` would otherwise record a graph node, and each momentum buffer
            // would keep the previous one alive through it (a leak of one buffer per step).
            let p = var.as_tensor().detach();
            let d = if self.weight_decay != 0.0 {
                (g.detach() + (&p * self.weight_decay)?)?
            } else {
                g.detach()
            };
            let b = match buf.take() {
                Some(b) if self.momentum != 0.0 => ((b * self.momentum)? + d)?,
                _ => d,
            };
            var.set(&(p - (&b * self.lr)?)?)?;
            *buf = Some(b);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn matches_pytorch_update_rule() -> Result<()> {
        // Minimise p² from p = 1 with lr 0.1, μ 0.9, wd 0.5: d = 2.5, b = 2.5 → 0.75; d = 1.875, b = 4.125 → 0.3375.
        let p = Var::new(&[1.0f32], &Device::Cpu)?;
        let mut opt = SgdMomentum::new(vec![p.clone()], 0.1, 0.9, 0.5);
        let mut seen = vec![];
        for _ in 0..2 {
            let loss = p.as_tensor().sqr()?.sum_all()?;
            opt.step(&loss.backward()?)?;
            seen.push(p.as_tensor().to_vec1::<f32>()?[0]);
        }
        assert!((seen[0] - 0.75).abs() < 1e-6, "{seen:?}");
        assert!((seen[1] - 0.3375).abs() < 1e-6, "{seen:?}");
        Ok(())
    }

    #[test]
    fn momentum_buffers_do_not_record_a_graph() -> Result<()> {
        let p = Var::new(&[1.0f32, 2.0], &Device::Cpu)?;
        let mut opt = SgdMomentum::new(vec![p.clone()], 0.1, 0.9, 5e-4);
        for _ in 0..3 {
            opt.step(&p.as_tensor().sqr()?.sum_all()?.backward()?)?;
        }
        let buffer = opt.buffers[0].as_ref().expect("a buffer after a step");
        assert!(
            !buffer.track_op(),
            "the momentum buffer keeps a graph of past steps alive"
        );
        Ok(())
    }
}
