// Rank statistics shared by the study scripts, computed as crate::devtools::stats computes them.

/** Kendall's τ-b of two equal-length score lists (ties corrected), as `devtools::stats::kendall_tau`. */
export function kendallTau(a, b) {
  let s = 0;
  let ta = 0;
  let tb = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i] - a[j]);
      const db = Math.sign(b[i] - b[j]);
      n++;
      ta += da === 0;
      tb += db === 0;
      s += da * db;
    }
  }
  const denom = Math.sqrt((n - ta) * (n - tb));
  return denom === 0 ? 0 : s / denom;
}
