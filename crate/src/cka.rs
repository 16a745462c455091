//! Linear CKA (Kornblith et al., 2019): similarity of two representations of the same n examples.
//!
//! With centred Gram matrices K = Xc·Xcᵀ and L = Yc·Ycᵀ (n × n),
//! CKA(X, Y) = ⟨K, L⟩_F / (‖K‖_F · ‖L‖_F). The Gram form costs O(n²·d) and suits our shapes
//! (n = 20–40 images, d up to 16k features per image).
//!
//! A constant representation has K = 0; its CKA is defined as 0 (with zero gradient), never NaN.

use crate::kernels::{self, Kernels};
use candle_core::{Result, Tensor};

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

/// A fixed representation to compare against (the reference model's stage output), prepared once.
#[derive(Clone, Debug)]
pub struct CkaTarget {
    /// Centred Gram matrix divided by its Frobenius norm, `[n, n]`; `None` if constant.
    unit_gram: Option<Tensor>,
    n: usize,
    kernels: Kernels,
}

impl CkaTarget {
    pub fn new(features: &Tensor, kernels: Kernels) -> Result<Self> {
        let n = features.dim(0)?;
        let unit_gram = match centered_gram(&features.detach(), kernels)? {
            Some(l) => Some(l.broadcast_div(&l.sqr()?.sum_all()?.sqrt()?)?),
            None => None,
        };
        Ok(Self { unit_gram, n, kernels })
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
        let Some(k) = centered_gram(x, self.kernels)? else {
            return zero();
        };
        let l = l.to_dtype(x.dtype())?;
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
