//! Linear CKA (Kornblith et al., 2019): similarity of two representations of the same n examples.
//!
//! With centred Gram matrices K = Xc·Xcᵀ and L = Yc·Ycᵀ (n × n),
//! CKA(X, Y) = ⟨K, L⟩_F / (‖K‖_F · ‖L‖_F). The Gram form costs O(n²·d) and suits our shapes
//! (n = 20–40 images, d up to 16k features per image).
//!
//! A constant representation has K = 0; its CKA is defined as 0 (with zero gradient), never NaN.
//!
//! That is the biased estimator RMI-NAS uses. With n = 20 images against thousands of features
//! per image it rates any two wide random representations as similar; the debiased one (Song et
//! al. 2012's unbiased HSIC, as in Kornblith et al.'s code) replaces centring by U-centring, so
//! that ⟨K̂, L̂⟩ / (n(n − 3)) is an unbiased estimate of HSIC: [`Estimator`].

use crate::kernels::{self, Kernels};
use candle_core::{Result, Tensor};

crate::named_enum! {
    /// How CKA estimates the similarity of two representations of the same n examples.
    #[derive(Default)]
    pub enum Estimator: "cka estimator" {
        /// Centred Gram matrices: RMI-NAS's (as published).
        #[default]
        Biased = "biased" => "biased (centred Gram matrices, as published)",
        /// U-centred Gram matrices: the unbiased HSIC estimator; needs at least 4 examples.
        Debiased = "debiased" => "debiased (U-centred Gram matrices)",
    }
}

impl Estimator {
    /// The Gram matrix of `x: [n, ...]` this estimator compares → `[n, n]`, or `None` if the
    /// representation is constant across examples.
    pub fn gram(self, x: &Tensor, kernels: Kernels) -> Result<Option<Tensor>> {
        match self {
            Estimator::Biased => centered_gram(x, kernels),
            Estimator::Debiased => u_centered_gram(x, kernels),
        }
    }

    /// The fewest examples the estimator is defined for.
    pub fn min_examples(self) -> usize {
        match self {
            Estimator::Biased => 2,
            Estimator::Debiased => 4,
        }
    }
}

/// ‖Xc‖² at or below this fraction of ‖X‖² counts as a constant representation: f32 rounding
/// leaves about 1e-7 relative noise in a centred constant.
const CONSTANT_TOLERANCE: f64 = 1e-10;

/// The centred Gram matrix of `x: [n, ...]` (flattened per example) → `[n, n]`, or `None` if the
/// representation is constant across examples.
pub fn centered_gram(x: &Tensor, kernels: Kernels) -> Result<Option<Tensor>> {
    let x = x.flatten_from(1)?;
    let xc = kernels::center_rows(&x, kernels)?;
    let (energy, centred) = (kernels::sum_of_squares(&x)?, kernels::sum_of_squares(&xc)?);
    // Also true when the sums are NaN: no finite representation to compare.
    if centred.is_nan() || centred <= CONSTANT_TOLERANCE * energy {
        return Ok(None);
    }
    Ok(Some(xc.matmul(&xc.t()?)?))
}

/// The U-centred Gram matrix of `x: [n, ...]` → `[n, n]` (Székely and Rizzo's U-centring: zero
/// diagonal, K̂ᵢⱼ = Kᵢⱼ − rᵢ/(n − 2) − rⱼ/(n − 2) + S/((n − 1)(n − 2)) with row sums r and total S of
/// K with its diagonal zeroed), or `None` if the representation is constant. Needs n ≥ 4. It is
/// computed from the centred rows: U-centring removes what centring does, with less rounding.
pub fn u_centered_gram(x: &Tensor, kernels: Kernels) -> Result<Option<Tensor>> {
    let n = x.dim(0)?;
    if n < 4 {
        candle_core::bail!("debiased CKA needs at least 4 examples, got {n}")
    }
    let Some(k) = centered_gram(x, kernels)? else {
        return Ok(None);
    };
    let off_diagonal = (Tensor::ones((n, n), k.dtype(), k.device())? - Tensor::eye(n, k.dtype(), k.device())?)?;
    let k = (k * &off_diagonal)?;
    let rows = (k.sum_keepdim(1)? / (n - 2) as f64)?; // [n, 1]
    let total = (k.sum_all()? / ((n - 1) * (n - 2)) as f64)?;
    let u = k
        .broadcast_sub(&rows)?
        .broadcast_sub(&rows.t()?)?
        .broadcast_add(&total)?;
    Ok(Some((u * off_diagonal)?))
}

/// A fixed representation to compare against (the reference model's stage output), prepared once.
#[derive(Clone, Debug)]
pub struct CkaTarget {
    /// The estimator's Gram matrix divided by its Frobenius norm, `[n, n]`; `None` if constant.
    unit_gram: Option<Tensor>,
    n: usize,
    kernels: Kernels,
    estimator: Estimator,
}

impl CkaTarget {
    /// The biased (as published) estimator's target.
    pub fn new(features: &Tensor, kernels: Kernels) -> Result<Self> {
        Self::with_estimator(features, kernels, Estimator::Biased)
    }

    pub fn with_estimator(features: &Tensor, kernels: Kernels, estimator: Estimator) -> Result<Self> {
        let n = features.dim(0)?;
        let unit_gram = match estimator.gram(&features.detach(), kernels)? {
            // A U-centred Gram matrix of a representation that is not constant can still be 0
            // (two distinct examples of n = 4 repeated): nothing to compare with, CKA 0.
            Some(l) if kernels::sum_of_squares(&l)? > 0.0 => Some(l.broadcast_div(&l.sqr()?.sum_all()?.sqrt()?)?),
            Some(_) => None,
            None => None,
        };
        Ok(Self {
            unit_gram,
            n,
            kernels,
            estimator,
        })
    }

    /// The biased estimator's target from its unit Gram matrix's `n × n` values (as
    /// [`CkaTarget::unit_gram_values`] gives them; all zeros for a constant representation).
    pub fn from_unit_gram(values: &[f32], n: usize, kernels: Kernels) -> Result<Self> {
        if values.len() != n * n {
            candle_core::bail!(
                "a unit Gram matrix of {n} examples has {} values, got {}",
                n * n,
                values.len()
            )
        }
        if values.iter().any(|v| !v.is_finite()) {
            candle_core::bail!("a unit Gram matrix holds a value that is not a number")
        }
        let constant = values.iter().all(|&v| v == 0.0);
        Ok(Self {
            unit_gram: (!constant)
                .then(|| Tensor::from_slice(values, (n, n), &candle_core::Device::Cpu))
                .transpose()?,
            n,
            kernels,
            estimator: Estimator::Biased,
        })
    }

    pub fn estimator(&self) -> Estimator {
        self.estimator
    }

    /// The unit Gram matrix's `n × n` values, zeros for a constant representation (whose CKA is 0
    /// against anything): what another executor compares with.
    pub fn unit_gram_values(&self) -> Result<Vec<f32>> {
        match &self.unit_gram {
            Some(l) => l.to_dtype(candle_core::DType::F32)?.flatten_all()?.to_vec1::<f32>(),
            None => Ok(vec![0.0; self.n * self.n]),
        }
    }

    /// CKA between `x: [n, ...]` and the target, as a differentiable scalar tensor.
    pub fn cka(&self, x: &Tensor) -> Result<Tensor> {
        if x.dim(0)? != self.n {
            candle_core::bail!("CKA needs {} examples, got {}", self.n, x.dim(0)?)
        }
        let zero = || Tensor::zeros((), x.dtype(), x.device());
        let Some(l) = &self.unit_gram else {
            return zero();
        };
        let Some(k) = self.estimator.gram(x, self.kernels)? else {
            return zero();
        };
        // A U-centred Gram matrix can vanish for a representation that is not constant.
        if self.estimator == Estimator::Debiased && kernels::sum_of_squares(&k)? <= 0.0 {
            return zero();
        }
        let l = l.to_dtype(x.dtype())?;
        // In this order: the autograd graph, and so the order gradients are summed in, is as it
        // always was (the recorded results, crate/tests/golden, stay bit for bit).
        (&k * &l)?.sum_all()? / k.sqr()?.sum_all()?.sqrt()?
    }
}

/// Linear CKA of two representations as a number.
pub fn linear_cka(x: &Tensor, y: &Tensor) -> Result<f64> {
    CkaTarget::new(y, Kernels::Fast)?
        .cka(x)?
        .to_dtype(candle_core::DType::F64)?
        .to_scalar::<f64>()
}
