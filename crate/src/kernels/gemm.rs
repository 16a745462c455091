//! Row-major single-precision matrix product on top of the `gemm` crate (the one candle uses).

/// A row-major matrix operand, optionally read transposed.
#[derive(Clone, Copy)]
pub struct Operand<'a> {
    pub data: &'a [f32],
    /// Rows and columns as stored.
    pub rows: usize,
    pub cols: usize,
    pub transposed: bool,
}

impl<'a> Operand<'a> {
    pub fn new(data: &'a [f32], rows: usize, cols: usize) -> Self {
        Self {
            data,
            rows,
            cols,
            transposed: false,
        }
    }

    pub fn t(self) -> Self {
        Self {
            transposed: !self.transposed,
            ..self
        }
    }

    /// (rows, cols) as read, and (row stride, column stride) as read.
    fn view(&self) -> ((usize, usize), (isize, isize)) {
        let c = self.cols as isize;
        if self.transposed {
            ((self.cols, self.rows), (1, c))
        } else {
            ((self.rows, self.cols), (c, 1))
        }
    }
}

/// `dst[m×n] (+)= a[m×k] · b[k×n]`, row-major `dst`; accumulates when `accumulate`.
pub fn matmul(dst: &mut [f32], a: Operand, b: Operand, accumulate: bool) {
    let ((m, k), (a_rs, a_cs)) = a.view();
    let ((kb, n), (b_rs, b_cs)) = b.view();
    assert_eq!(k, kb, "inner dimensions differ");
    assert!(a.data.len() >= a.rows * a.cols && b.data.len() >= b.rows * b.cols);
    assert!(dst.len() >= m * n);
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            dst[..m * n].fill(0.0);
        }
        return;
    }
    // SAFETY: the asserts above keep every index the strides reach inside the three slices.
    unsafe {
        ::gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            a.data.as_ptr(),
            a_cs,
            a_rs,
            b.data.as_ptr(),
            b_cs,
            b_rs,
            1.0f32,
            1.0f32,
            false,
            false,
            false,
            ::gemm::Parallelism::None,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: &[f32], b: &[f32], m: usize, k: usize, n: usize) -> Vec<f32> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|l| a[i * k + l] * b[l * n + j]).sum();
            }
        }
        c
    }

    #[test]
    fn matches_naive_product_with_transposes() {
        let (m, k, n) = (5, 7, 3);
        let a: Vec<f32> = (0..m * k).map(|i| (i as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i as f32 * 0.11).cos()).collect();
        let want = naive(&a, &b, m, k, n);
        let mut c = vec![0.0; m * n];
        matmul(&mut c, Operand::new(&a, m, k), Operand::new(&b, k, n), false);
        for (x, y) in c.iter().zip(&want) {
            assert!((x - y).abs() < 1e-5);
        }
        // Transposed storage of both operands.
        let at: Vec<f32> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect();
        let bt: Vec<f32> = (0..n * k).map(|i| b[(i % k) * n + i / k]).collect();
        let mut c2 = vec![1.0; m * n];
        matmul(&mut c2, Operand::new(&at, k, m).t(), Operand::new(&bt, n, k).t(), true);
        for (x, y) in c2.iter().zip(&want) {
            assert!((x - 1.0 - y).abs() < 1e-5);
        }
    }
}
