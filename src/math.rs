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

/// [`ln`] of a positive finite `x`: the steps of `libm::log` (fdlibm's
/// `e_log.c`) for such an `x`, in the same order, so the same bits, with
/// its branches for zero, negatives, infinity and 1 left out and the one
/// for subnormals made a select. A loop of them has no calls or branches,
/// so the compiler can vectorise it. Other inputs give some number,
/// unspecified.
#[inline]
pub fn ln_positive(x: f64) -> f64 {
    // fdlibm's constants, by their bits.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const LG1: f64 = f64::from_bits(0x3fe5_5555_5555_5593);
    const LG2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04);
    const LG3: f64 = f64::from_bits(0x3fd2_4924_9422_9359);
    const LG4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af);
    const LG5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de);
    const LG6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f);
    const LG7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244);
    // A subnormal x is scaled up by 2^54 first.
    let subnormal = x < f64::MIN_POSITIVE;
    let x = if subnormal {
        x * f64::from_bits(0x4350_0000_0000_0000)
    } else {
        x
    };
    // x = 2^k (1 + f) with sqrt(2)/2 < 1 + f < sqrt(2).
    let ui = x.to_bits();
    let hx = ((ui >> 32) as u32).wrapping_add(0x3ff0_0000 - 0x3fe6_a09e);
    let k = (hx >> 20) as i32 - 0x3ff - if subnormal { 54 } else { 0 };
    let hx = (hx & 0x000f_ffff) + 0x3fe6_a09e;
    let f = f64::from_bits(((hx as u64) << 32) | (ui & 0xffff_ffff)) - 1.0;
    // ln(1 + f) = 2s + s R(s^2), s = f / (2 + f), R by Remez.
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let dk = k as f64;
    s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_positive_gives_the_bits_of_ln_on_positive_finite_numbers() {
        let mut edges = vec![
            f64::from_bits(1),
            1e-310,
            f64::from_bits(0x000f_ffff_ffff_ffff),
            f64::MIN_POSITIVE,
            1e-300,
            1e-10,
            0.5,
            1.0,
            std::f64::consts::FRAC_1_SQRT_2,
            std::f64::consts::SQRT_2,
            2.0,
            1e300,
            f64::MAX,
        ];
        for b in [
            0x3fe6_a09e_0000_0000u64,
            0x3fe6_a09d_ffff_ffff,
            0x3ff0_0000_0000_0001,
        ] {
            edges.push(f64::from_bits(b));
        }
        // Every exponent (0: subnormals), with mantissas from a fixed
        // 64-bit LCG.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for exponent in 0..0x7ffu64 {
            for _ in 0..50 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                edges.push(f64::from_bits(exponent << 52 | (state >> 12).max(1)));
            }
        }
        for x in edges {
            assert_eq!(ln_positive(x).to_bits(), ln(x).to_bits(), "ln({x:e})");
        }
    }
}
