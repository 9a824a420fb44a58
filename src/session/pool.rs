//! Regular items bucketed by how many times they were handed out, so a
//! batch takes the least-covered items first without scanning the task.
//!
//! Bucket `c` holds the items handed out `c` times, for `c < overlap`;
//! items at `overlap` leave the pool. Taking `r` items costs `O(r + s)`
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
    /// Times each item was handed out.
    count: Vec<u32>,
    /// Hand-outs after which an item leaves the pool.
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

    /// Times `item` was handed out.
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
        let c = c as usize;
        if c < self.buckets.len() {
            let p = self.pos[i] as usize;
            let bucket = &mut self.buckets[c];
            bucket.swap_remove(p);
            if let Some(&moved) = bucket.get(p) {
                self.pos[moved as usize] = p as u32;
            }
            if c + 1 < self.overlap as usize {
                if self.buckets.len() == c + 1 {
                    self.buckets.push(Vec::new());
                }
                let next = &mut self.buckets[c + 1];
                self.pos[i] = next.len() as u32;
                next.push(item);
            }
        }
        self.count[i] += 1;
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
}
