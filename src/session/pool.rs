//! Regular items bucketed by how many labels they have or are promised, so
//! a batch takes the least-covered items first without scanning the task.
//!
//! An item's count is its answers plus its live leases: a hand-out adds
//! one ([`Pool::bump`]), a lease that runs out or is skipped takes it back
//! ([`Pool::release`]), an answer within its lease changes nothing (the
//! promise became a label) and a late answer adds one. Bucket `c` holds the
//! items counted `c` times, for `c < overlap`; items at `overlap` or more
//! are out of the pool. Taking `r` items costs `O(r + s)`
//! where `s` is the number of items the annotator already holds that sit in
//! the buckets scanned, independent of the size of the task. The buckets are
//! plain vectors, so the order of a scan depends only on the sequence of
//! operations: the same seed gives the same batches on every platform.

/// See the module docs.
#[derive(Debug, Clone)]
pub(crate) struct Pool {
    buckets: Vec<Vec<u32>>,
    /// Position of each item in its bucket (meaningless once it left).
    pos: Vec<u32>,
    /// Answers plus live leases of each item.
    count: Vec<u32>,
    /// The count at which an item leaves the pool.
    overlap: u32,
}

impl Pool {
    /// `n` items, none handed out yet, each wanted `overlap >= 1` times.
    pub fn new(n: u32, overlap: u32) -> Pool {
        // Buckets are added as items reach them: `overlap` comes from the
        // task and may be far larger than anything ever handed out.
        Pool {
            buckets: vec![(0..n).collect()],
            pos: (0..n).collect(),
            count: vec![0; n as usize],
            overlap: overlap.max(1),
        }
    }

    /// Answers plus live leases of `item`.
    pub fn count(&self, item: u32) -> u32 {
        self.count.get(item as usize).copied().unwrap_or(0)
    }

    /// Up to `want` items, fewest hand-outs first, skipping those for which
    /// `held` is true. Within a bucket, items come in bucket order.
    pub fn take(&self, want: usize, held: impl Fn(u32) -> bool) -> Vec<u32> {
        let mut out = Vec::with_capacity(want.min(self.count.len()));
        for bucket in &self.buckets {
            for &item in bucket {
                if out.len() == want {
                    return out;
                }
                if !held(item) {
                    out.push(item);
                }
            }
        }
        out
    }

    /// Counts one more hand-out of `item`, moving it up a bucket or out.
    pub fn bump(&mut self, item: u32) {
        let i = item as usize;
        let Some(&c) = self.count.get(i) else {
            return;
        };
        self.leave(item, c as usize);
        self.enter(item, c as usize + 1);
        self.count[i] += 1;
    }

    /// Counts one hand-out of `item` less (its lease ran out or was
    /// skipped), moving it down a bucket or back into the pool.
    pub fn release(&mut self, item: u32) {
        let i = item as usize;
        let Some(&c) = self.count.get(i) else {
            return;
        };
        if c == 0 {
            return;
        }
        self.leave(item, c as usize);
        self.enter(item, c as usize - 1);
        self.count[i] -= 1;
    }

    /// Takes `item` out of bucket `c` (nothing when `c` is past the last).
    fn leave(&mut self, item: u32, c: usize) {
        if let Some(bucket) = self.buckets.get_mut(c) {
            let p = self.pos[item as usize] as usize;
            bucket.swap_remove(p);
            if let Some(&moved) = bucket.get(p) {
                self.pos[moved as usize] = p as u32;
            }
        }
    }

    /// Puts `item` at the end of bucket `c`, made when first reached;
    /// nothing at `overlap` or more (the item is out of the pool).
    fn enter(&mut self, item: u32, c: usize) {
        if c >= self.overlap as usize {
            return;
        }
        while self.buckets.len() <= c {
            self.buckets.push(Vec::new());
        }
        let bucket = &mut self.buckets[c];
        self.pos[item as usize] = bucket.len() as u32;
        bucket.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_leave_the_pool_after_overlap_hand_outs() {
        let mut p = Pool::new(3, 2);
        assert_eq!(p.take(5, |_| false), vec![0, 1, 2]);
        p.bump(0);
        assert_eq!(p.take(5, |_| false), vec![2, 1, 0]);
        p.bump(0);
        assert_eq!(p.take(5, |_| false), vec![2, 1]);
        p.bump(0);
        assert_eq!(p.count(0), 3);
        assert_eq!(p.take(1, |i| i == 2), vec![1]);
    }

    #[test]
    fn a_released_item_comes_back_at_its_lower_count() {
        let mut p = Pool::new(2, 2);
        p.bump(0);
        p.bump(0);
        assert_eq!(p.take(5, |_| false), vec![1]);
        p.release(0);
        assert_eq!(p.count(0), 1);
        assert_eq!(p.take(5, |_| false), vec![1, 0]);
        p.release(0);
        p.release(0);
        assert_eq!(p.count(0), 0);
        assert_eq!(p.take(1, |_| false), vec![1]);
        p.bump(1);
        assert_eq!(p.take(5, |_| false), vec![0, 1]);
    }
}
