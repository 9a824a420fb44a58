//! Transcendental functions that give the same bits on every platform.
//!
//! `f64::ln` and `f64::exp` call the platform's C library natively and a
//! different implementation in WebAssembly, and the two can differ in the
//! last bit. prefkit promises the same report bytes natively and in the
//! browser, so the core uses the portable `libm` implementations instead.

/// Natural logarithm.
#[inline]
pub fn ln(x: f64) -> f64 {
    libm::log(x)
}

/// `ln x` to about 1e-7 relative, for `x > 0`, and 0 for `x = 0`; faster
/// than [`ln`] (it rounds `x` to `f32` first; below the `f32` range it
/// takes the log of the smallest `f32`, which is -103.3 where the true
/// value is lower). For terms like `x ln x` of tiny `x`, whose whole size
/// is below 1e-8.
#[inline]
pub fn ln_rough(x: f64) -> f64 {
    f64::from(libm::logf((x as f32).max(f32::from_bits(1))))
}

/// e to the power `x`.
#[inline]
pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// `x` to the power `y`.
#[inline]
pub fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}
