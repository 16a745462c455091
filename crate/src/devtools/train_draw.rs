//! RMI-NAS's way of choosing its one batch, for comparison with the bundled batches: draw
//! training images by a seeded shuffle, augment them as its data loader does (random crop with
//! 4 pixels of zero padding, random horizontal flip), and optionally keep those the reference
//! classifies best.

use crate::data::{LabelledImages, PIXELS, SIDE};
use crate::nn::Network;
use crate::reference::Reference;
use crate::{bail, Result};
use candle_core::Tensor;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// torchvision's `RandomCrop(32, padding=4)`, as RMI-NAS's CIFAR loader uses.
const PAD: usize = 4;

/// What to draw from a training set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainDraw {
    /// Images drawn.
    pub count: usize,
    /// Drawn from the first `pool` images only (all when `None`): in `../shared`, only the first
    /// 4,000 training images have exact pixels.
    pub pool: Option<usize>,
    /// Crop and flip each drawn image, as RMI-NAS's loader does.
    pub augment: bool,
}

impl TrainDraw {
    /// Indices into `images` of the draw, in the order drawn.
    fn indices(&self, images: &LabelledImages, seed: u64) -> Result<Vec<usize>> {
        let pool = self.pool.unwrap_or(images.len());
        if pool < 2 || pool > images.len() {
            bail!("the training pool must lie in 2..={}, got {pool}", images.len())
        }
        if self.count < 2 || self.count > pool {
            bail!("train images must lie in 2..={pool}, got {}", self.count)
        }
        let mut order: Vec<usize> = (0..pool).collect();
        order.shuffle(&mut StdRng::seed_from_u64(seed));
        order.truncate(self.count);
        Ok(order)
    }

    /// The drawn images' pixels (CHW u8 each, augmented if asked) and labels.
    fn pixels_and_labels(&self, images: &LabelledImages, seed: u64) -> Result<(Vec<u8>, Vec<u32>)> {
        let order = self.indices(images, seed)?;
        // A second stream, so that augmenting does not change which images are drawn.
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_a06d);
        let mut pixels = Vec::with_capacity(order.len() * PIXELS);
        for &i in &order {
            let image = &images.pixels[i * PIXELS..(i + 1) * PIXELS];
            if self.augment {
                let (dy, dx, flip) = (
                    rng.random_range(0..=2 * PAD),
                    rng.random_range(0..=2 * PAD),
                    rng.random_bool(0.5),
                );
                pixels.extend(crop_and_flip(image, dy, dx, flip));
            } else {
                pixels.extend_from_slice(image);
            }
        }
        let labels = order.iter().map(|&i| u32::from(images.labels[i])).collect();
        Ok((pixels, labels))
    }

    /// The draw, normalised: `[count, 3, 32, 32]`.
    pub fn batch(&self, images: &LabelledImages, seed: u64) -> Result<Tensor> {
        let (pixels, _) = self.pixels_and_labels(images, seed)?;
        Ok(crate::data::to_tensor(&pixels, self.count)?)
    }

    /// RMI-NAS's choice: of the draw, the `keep` images the reference classifies best (lowest
    /// cross-entropy against their true labels; ties by order drawn), normalised:
    /// `[keep, 3, 32, 32]`.
    pub fn reference_picked(
        &self,
        images: &LabelledImages,
        reference: &Reference,
        keep: usize,
        seed: u64,
    ) -> Result<Tensor> {
        if keep < 2 || keep > self.count {
            bail!(
                "the reference keeps 2..={0} of the {0} images drawn, not {keep}",
                self.count
            )
        }
        let (pixels, labels) = self.pixels_and_labels(images, seed)?;
        let drawn = crate::data::to_tensor(&pixels, self.count)?;
        let logits = reference.features(&drawn, false)?.logits;
        let log_p = candle_nn::ops::log_softmax(&logits, candle_core::D::Minus1)?.to_vec2::<f32>()?;
        let mut by_loss: Vec<(f32, usize)> = labels
            .iter()
            .enumerate()
            .map(|(j, &c)| (-log_p[j][c as usize], j))
            .collect();
        by_loss.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let kept: Vec<u32> = by_loss[..keep].iter().map(|&(_, j)| j as u32).collect();
        let index = Tensor::from_vec(kept, keep, drawn.device())?;
        Ok(drawn.index_select(&index, 0)?)
    }
}

/// One CHW image zero-padded by `PAD` on every side, cropped back to 32×32 at offset (`dy`, `dx`)
/// of the padded image, and mirrored left to right if `flip`.
fn crop_and_flip(image: &[u8], dy: usize, dx: usize, flip: bool) -> Vec<u8> {
    let mut out = vec![0u8; PIXELS];
    for c in 0..3 {
        for y in 0..SIDE {
            // Row y of the crop is row y + dy − PAD of the image (zero outside it).
            let Some(sy) = (y + dy).checked_sub(PAD).filter(|&sy| sy < SIDE) else {
                continue;
            };
            for x in 0..SIDE {
                let Some(sx) = (x + dx).checked_sub(PAD).filter(|&sx| sx < SIDE) else {
                    continue;
                };
                let ox = if flip { SIDE - 1 - x } else { x };
                out[(c * SIDE + y) * SIDE + ox] = image[(c * SIDE + sy) * SIDE + sx];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp() -> Vec<u8> {
        (0..PIXELS).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn the_centred_crop_without_flip_is_the_image() {
        let image = ramp();
        assert_eq!(crop_and_flip(&image, PAD, PAD, false), image);
    }

    #[test]
    fn a_shifted_crop_pads_with_zeros_and_a_flip_mirrors_rows() {
        let image = ramp();
        // Offset 0 shows the padding's top and left 4 rows and columns.
        let shifted = crop_and_flip(&image, 0, 0, false);
        assert!(shifted[..PAD * SIDE].iter().all(|&v| v == 0));
        assert_eq!(shifted[PAD * SIDE + PAD], image[0]);
        let flipped = crop_and_flip(&image, PAD, PAD, true);
        for y in [0, 17, 31] {
            for x in [0, 5, 31] {
                assert_eq!(flipped[y * SIDE + x], image[y * SIDE + SIDE - 1 - x]);
            }
        }
    }

    #[test]
    fn the_draw_stays_in_its_pool_and_augmenting_keeps_the_images_drawn() {
        let images = LabelledImages {
            pixels: (0..10 * PIXELS).map(|i| (i / PIXELS) as u8).collect(),
            labels: (0..10).collect(),
        };
        let plain = TrainDraw {
            count: 3,
            pool: Some(5),
            augment: false,
        };
        let order = plain.indices(&images, 7).unwrap();
        assert!(order.iter().all(|&i| i < 5));
        let (_, labels) = TrainDraw { augment: true, ..plain }
            .pixels_and_labels(&images, 7)
            .unwrap();
        assert_eq!(labels, order.iter().map(|&i| i as u32).collect::<Vec<_>>());
        assert!(TrainDraw { count: 6, ..plain }.indices(&images, 7).is_err());
        assert!(TrainDraw {
            pool: Some(11),
            ..plain
        }
        .indices(&images, 7)
        .is_err());
    }
}
