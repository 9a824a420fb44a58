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
