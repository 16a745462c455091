//! Training the reference model: the project's own recipe ([`RECIPE`]), on CIFAR-10 in the
//! official binary layout. Seeded: the same data, seed and build give the same weights.

use crate::data::{LabelledImages, PIXELS, SIDE};
use crate::optim::SgdMomentum;
use crate::proxy::Network;
use crate::reference::Reference;
use candle_core::{bail, Result, Tensor, D};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// The recipe in words, as the record beside the weights states it. Batch size and the starting
/// learning rate are [`TrainConfig`]'s.
pub const RECIPE: &str = "SGD momentum 0.9, weight decay 5e-4, cosine learning rate to 0 over the planned epochs, \
random 4-pixel-padded crops and horizontal flips, input normalised by ImageNet mean/std";

#[derive(Clone, Copy, Debug)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch: usize,
    pub lr: f64,
    pub seed: u64,
    /// Stop after this many seconds of training, whatever the epoch (0 = no limit); the schedule
    /// is still laid out over `epochs`.
    pub max_seconds: f64,
}

/// Progress after each epoch.
pub struct EpochReport {
    pub epoch: usize,
    pub train_loss: f64,
    pub train_accuracy: f64,
    pub test_accuracy: Option<f64>,
    pub seconds: f64,
}

/// Random crop of the 4-pixel zero-padded image and horizontal flip, on raw 3×32×32 bytes.
fn augment(src: &[u8], dst: &mut [u8], rng: &mut impl Rng) {
    let (dy, dx) = (rng.random_range(0..9) as isize - 4, rng.random_range(0..9) as isize - 4);
    let flip = rng.random_bool(0.5);
    let side = SIDE as isize;
    for c in 0..3 {
        for y in 0..side {
            for x in 0..side {
                let (sy, sx) = (y + dy, if flip { side - 1 - x } else { x } + dx);
                let v = if (0..side).contains(&sy) && (0..side).contains(&sx) {
                    src[(c * side * side + sy * side + sx) as usize]
                } else {
                    0
                };
                dst[(c * side * side + y * side + x) as usize] = v;
            }
        }
    }
}

pub fn train(
    model: &Reference,
    train: &LabelledImages,
    test: Option<&LabelledImages>,
    cfg: TrainConfig,
    mut on_epoch: impl FnMut(&EpochReport),
) -> Result<()> {
    if train.len() < cfg.batch || cfg.batch == 0 {
        bail!(
            "need at least one batch of {} training images, have {}",
            cfg.batch,
            train.len()
        )
    }
    let started = now_seconds();
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let mut opt = SgdMomentum::new(model.trainable(), cfg.lr, 0.9, 5e-4);
    let steps_per_epoch = train.len() / cfg.batch;
    let total = (steps_per_epoch * cfg.epochs) as f64;
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut pixels = vec![0u8; cfg.batch * PIXELS];
    for epoch in 0..cfg.epochs {
        order.shuffle(&mut rng);
        let (mut loss_sum, mut correct, mut steps) = (0.0, 0usize, 0usize);
        for step in 0..steps_per_epoch {
            let t = (epoch * steps_per_epoch + step) as f64;
            opt.lr = 0.5 * cfg.lr * (1.0 + (std::f64::consts::PI * t / total).cos());
            let idx = &order[step * cfg.batch..(step + 1) * cfg.batch];
            for (slot, &i) in idx.iter().enumerate() {
                augment(
                    &train.pixels[i * PIXELS..(i + 1) * PIXELS],
                    &mut pixels[slot * PIXELS..(slot + 1) * PIXELS],
                    &mut rng,
                );
            }
            let labels: Vec<u32> = idx.iter().map(|&i| train.labels[i] as u32).collect();
            let labels = Tensor::new(labels.as_slice(), &candle_core::Device::Cpu)?;
            let logits = model
                .features(&crate::data::to_tensor(&pixels, cfg.batch)?, true)?
                .logits;
            let loss = candle_nn::loss::cross_entropy(&logits, &labels)?;
            let l = loss.to_scalar::<f32>()? as f64;
            if !l.is_finite() {
                bail!("training diverged at epoch {epoch}, step {step}")
            }
            loss_sum += l;
            correct += logits
                .argmax(D::Minus1)?
                .eq(&labels)?
                .to_dtype(candle_core::DType::F32)?
                .sum_all()?
                .to_scalar::<f32>()? as usize;
            opt.step(&loss.backward()?)?;
            steps += 1;
            if cfg.max_seconds > 0.0 && now_seconds() - started > cfg.max_seconds {
                break;
            }
        }
        let test_accuracy = test.map(|t| model.accuracy(t)).transpose()?;
        on_epoch(&EpochReport {
            epoch,
            // Over the steps actually run: a time limit may end the epoch early.
            train_loss: loss_sum / steps.max(1) as f64,
            train_accuracy: 100.0 * correct as f64 / (steps.max(1) * cfg.batch) as f64,
            test_accuracy,
            seconds: now_seconds() - started,
        });
        if cfg.max_seconds > 0.0 && now_seconds() - started > cfg.max_seconds {
            break;
        }
    }
    Ok(())
}

/// Seconds since the Unix epoch; `std::time` panics in wasm, so training is native-only there too.
fn now_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}
