//! One sort for the whole crate: places that need an order sort `u32`
//! indices here through one comparator type, and then read their elements
//! in that order.

use std::cmp::Ordering;

/// Sorts `order` (indices into some slice) by `cmp`. Unstable: use it where
/// no two indices compare equal (unique ids or names), or where equal ones
/// are interchangeable.
#[inline(never)]
pub(crate) fn sort_indices(order: &mut [u32], cmp: &dyn Fn(u32, u32) -> Ordering) {
    order.sort_unstable_by(|&x, &y| cmp(x, y));
}

/// `0..n` as `u32` indices sorted by `cmp` (see [`sort_indices`]).
pub(crate) fn sorted_indices(n: usize, cmp: &dyn Fn(u32, u32) -> Ordering) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    sort_indices(&mut order, cmp);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_come_out_in_the_order_of_their_keys() {
        let keys = ["c", "a", "d", "b"];
        let order = sorted_indices(keys.len(), &|x, y| keys[x as usize].cmp(keys[y as usize]));
        assert_eq!(order, vec![1, 3, 0, 2]);
    }
}
