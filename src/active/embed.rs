//! Embeddings: a flat row-major matrix, the squared Euclidean distance that
//! every selection strategy uses, and the default embedding of a prompt
//! when the task supplies none.
//!
//! The default embedding is feature hashing (the "hashing trick",
//! Weinberger et al. 2009, "Feature hashing for large scale multitask
//! learning", doi:10.1145/1553374.1553516): every feature is hashed with
//! 64-bit FNV-1a to a bucket `h mod dim` and a sign taken from the top bit of
//! the hash, so collisions cancel on average instead of piling up. The
//! features of a prompt are
//!
//! - its word unigrams (`w:` + word),
//! - its word bigrams (`b:` + word + ` ` + next word),
//! - its character 3-grams (`c:` + three characters) of the normalised text,
//!   with a space added at both ends so words' first and last letters count,
//!
//! where words are the maximal runs of alphanumeric characters, lower-cased,
//! and the normalised text is the words joined by single spaces. Each feature
//! adds ±1; the vector is then divided by its L2 norm (an empty prompt gives
//! the zero vector). Two prompts that share many words and spellings are
//! close; unrelated prompts are near-orthogonal.

use crate::error::{Error, Result};
use std::borrow::Cow;

/// Dimension of the default hashed embedding.
pub const HASHED_DIM: usize = 256;

/// Embeddings of `n` examples, row-major: row `i` is
/// `data[i * dim .. (i + 1) * dim]`. Owned, or borrowed from a request so
/// that a large pool is not copied.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix<'a> {
    dim: usize,
    data: Cow<'a, [f32]>,
}

impl Matrix<'static> {
    /// Wraps `data` as rows of `dim` values (see [`Matrix::view`]).
    pub fn new(dim: usize, data: Vec<f32>) -> Result<Matrix<'static>> {
        Matrix::check(dim, &data)?;
        Ok(Matrix {
            dim,
            data: Cow::Owned(data),
        })
    }
}

impl<'a> Matrix<'a> {
    /// Borrows `data` as rows of `dim` values. Refuses a zero dimension, a
    /// length that is not a multiple of `dim`, and non-finite values.
    pub fn view(dim: usize, data: &'a [f32]) -> Result<Matrix<'a>> {
        Matrix::check(dim, data)?;
        Ok(Matrix {
            dim,
            data: Cow::Borrowed(data),
        })
    }

    fn check(dim: usize, data: &[f32]) -> Result<()> {
        if dim == 0 {
            return Err(Error::invalid("embedding_dim", "must be at least 1"));
        }
        if !data.len().is_multiple_of(dim) {
            return Err(Error::invalid(
                "embeddings",
                format!(
                    "holds {} values, which is not a whole number of rows of {dim}",
                    data.len()
                ),
            ));
        }
        if let Some(p) = data.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid(
                "embeddings",
                format!(
                    "value {} of row {} is {}; embeddings must be finite",
                    p % dim,
                    p / dim,
                    data[p]
                ),
            ));
        }
        Ok(())
    }

    /// Number of values per row.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.data.len() / self.dim
    }

    /// The flat row-major values.
    pub fn data(&self) -> &[f32] {
        &self.data
    }

    /// Row `i`. Callers pass indices below [`Matrix::rows`].
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// The matrix of the given rows, in that order.
    pub fn select_rows(&self, rows: &[usize]) -> Matrix<'static> {
        let mut data = Vec::with_capacity(rows.len() * self.dim);
        for &r in rows {
            data.extend_from_slice(self.row(r));
        }
        Matrix {
            dim: self.dim,
            data: Cow::Owned(data),
        }
    }
}

/// Squared Euclidean distance `sum_k (a_k - b_k)^2` between two rows of
/// the same length.
///
/// The loop runs over chunks of 8 into 8 independent accumulators, with no
/// bounds checks inside, so the compiler turns it into SIMD (SSE/AVX
/// natively). In WebAssembly with the `simd128` target feature the same
/// arithmetic is written with explicit 4-lane operations (`sq_dist_simd128`),
/// so that it does not depend on the optimiser auto-vectorising (builds for
/// size do not); both give bit-identical results (same lanes, same order of
/// additions).
#[inline]
pub fn sq_dist(a: &[f32], b: &[f32]) -> f32 {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        sq_dist_simd128(a, b)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    {
        sq_dist_scalar(a, b)
    }
}

/// The portable form of [`sq_dist`].
#[inline]
pub fn sq_dist_scalar(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let tail = tail_sq_dist(ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            let d = x[k] - y[k];
            acc[k] += d * d;
        }
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

fn tail_sq_dist(a: &[f32], b: &[f32]) -> f32 {
    let mut tail = 0.0f32;
    for (x, y) in a.iter().zip(b) {
        let d = x - y;
        tail += d * d;
    }
    tail
}

/// [`sq_dist`] with WebAssembly SIMD: lanes 0-3 and 4-7 of the portable
/// form's accumulators are two `f32x4` registers.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
pub fn sq_dist_simd128(a: &[f32], b: &[f32]) -> f32 {
    use core::arch::wasm32::{
        f32x4, f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, f32x4_sub,
    };
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let tail = tail_sq_dist(ca.remainder(), cb.remainder());
    let (mut lo, mut hi) = (f32x4_splat(0.0), f32x4_splat(0.0));
    for (x, y) in ca.zip(cb) {
        if let (Ok(x), Ok(y)) = (<&[f32; 8]>::try_from(x), <&[f32; 8]>::try_from(y)) {
            let d0 = f32x4_sub(f32x4(x[0], x[1], x[2], x[3]), f32x4(y[0], y[1], y[2], y[3]));
            let d1 = f32x4_sub(f32x4(x[4], x[5], x[6], x[7]), f32x4(y[4], y[5], y[6], y[7]));
            lo = f32x4_add(lo, f32x4_mul(d0, d0));
            hi = f32x4_add(hi, f32x4_mul(d1, d1));
        }
    }
    let s = f32x4_add(lo, hi);
    ((f32x4_extract_lane::<0>(s) + f32x4_extract_lane::<1>(s))
        + (f32x4_extract_lane::<2>(s) + f32x4_extract_lane::<3>(s)))
        + tail
}

/// 64-bit FNV-1a of `prefix` followed by `text`.
fn fnv1a(prefix: &[u8], text: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in prefix.iter().chain(text) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn add_feature(v: &mut [f32], prefix: &[u8], text: &[u8]) {
    let h = fnv1a(prefix, text);
    let bucket = (h % v.len() as u64) as usize;
    let sign = if h >> 63 == 1 { -1.0 } else { 1.0 };
    if let Some(slot) = v.get_mut(bucket) {
        *slot += sign;
    }
}

/// The default embedding of `text` in `dim` dimensions (see the module
/// documentation for the features). `dim` 0 gives an empty vector.
///
/// ```
/// use prefkit::active::embed::{hashed_embedding, sq_dist};
/// let a = hashed_embedding("How do I sort a list in Python?", 256);
/// let b = hashed_embedding("how do I sort a Python list", 256);
/// let c = hashed_embedding("Write a poem about the sea.", 256);
/// assert!(sq_dist(&a, &b) < sq_dist(&a, &c));
/// ```
pub fn hashed_embedding(text: &str, dim: usize) -> Vec<f32> {
    let mut v = vec![0.0f32; dim];
    if dim == 0 {
        return v;
    }
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for w in &words {
        add_feature(&mut v, b"w:", w.as_bytes());
    }
    for pair in words.windows(2) {
        let bigram = format!("{} {}", pair[0], pair[1]);
        add_feature(&mut v, b"b:", bigram.as_bytes());
    }
    let normalised: Vec<char> = format!(" {} ", words.join(" ")).chars().collect();
    if words.is_empty() {
        return v;
    }
    for tri in normalised.windows(3) {
        let s: String = tri.iter().collect();
        add_feature(&mut v, b"c:", s.as_bytes());
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut v {
            *x /= norm;
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chunked_distance_equals_the_plain_sum_for_every_length() {
        for len in 0..40 {
            let a: Vec<f32> = (0..len).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..len).map(|i| (i as f32 * 0.11).cos()).collect();
            let plain: f64 = a
                .iter()
                .zip(&b)
                .map(|(x, y)| f64::from(x - y).powi(2))
                .sum();
            assert!(
                (f64::from(sq_dist(&a, &b)) - plain).abs() < 1e-4,
                "len {len}"
            );
        }
    }

    #[test]
    fn hashed_embeddings_are_unit_length_and_deterministic() {
        let a = hashed_embedding("Explain the rules of chess to a child.", 256);
        let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
        assert_eq!(
            a,
            hashed_embedding("Explain the rules of chess to a child.", 256)
        );
        assert!(hashed_embedding("  ?! ", 256).iter().all(|&x| x == 0.0));
    }

    #[test]
    fn similar_prompts_are_closer_than_unrelated_ones() {
        let a = hashed_embedding("Translate 'good morning' into French", 256);
        let b = hashed_embedding("translate good morning to French please", 256);
        let c = hashed_embedding("What is the derivative of x squared?", 256);
        assert!(sq_dist(&a, &b) < 0.6 * sq_dist(&a, &c));
    }

    #[test]
    fn a_matrix_refuses_ragged_or_non_finite_data() {
        assert!(Matrix::new(3, vec![0.0; 7]).is_err());
        assert!(Matrix::new(0, vec![]).is_err());
        let e = Matrix::new(2, vec![0.0, 1.0, f32::NAN, 0.0]).unwrap_err();
        assert!(e.to_string().contains("row 1"), "{e}");
        assert_eq!(Matrix::new(2, vec![0.0; 6]).unwrap().rows(), 3);
    }
}
