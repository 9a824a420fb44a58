//! Where a reasoning model thinks out loud: `<think>`, `<thinking>` and
//! `<reasoning>` blocks (any case). Verdicts inside them are drafts, not
//! answers, so the verdict parser skips them.

/// Byte ranges of thinking blocks, sorted and disjoint.
pub fn thinking_regions(text: &str) -> Vec<(usize, usize)> {
    let lower = text.to_ascii_lowercase();
    let mut events: Vec<(usize, usize, bool)> = Vec::new(); // (pos, len, is_open)
    for tag in ["think", "thinking", "reasoning"] {
        for (open, pat) in [(true, format!("<{tag}>")), (false, format!("</{tag}>"))] {
            events.extend(lower.match_indices(&pat).map(|(p, m)| (p, m.len(), open)));
        }
    }
    events.sort_unstable();
    let mut regions = Vec::new();
    let mut open_at: Option<usize> = None;
    for (pos, len, is_open) in events {
        match (is_open, open_at) {
            (true, None) => open_at = Some(pos),
            (false, Some(start)) => {
                regions.push((start, pos + len));
                open_at = None;
            }
            (false, None) => {
                // A closing tag with no opening one: the answer started inside
                // the thinking (some servers strip the opening tag).
                let start = regions.last().map_or(0, |r: &(usize, usize)| r.1);
                regions.push((start, pos + len));
            }
            (true, Some(_)) => {}
        }
    }
    if let Some(start) = open_at {
        regions.push((start, text.len()));
    }
    regions
}

/// Whether the last region runs to the end of `text` without a closing tag
/// (the answer was cut off while thinking).
pub fn ends_inside(text: &str, regions: &[(usize, usize)]) -> bool {
    regions.last().is_some_and(|&(s, e)| {
        e == text.len()
            && text.get(s..e).is_some_and(|t| {
                let t = t.to_ascii_lowercase();
                !["</think>", "</thinking>", "</reasoning>"]
                    .iter()
                    .any(|c| t.ends_with(c))
            })
    })
}

/// Whether byte `pos` lies inside one of `regions` (sorted and disjoint,
/// as [`thinking_regions`] gives them).
pub fn in_regions(regions: &[(usize, usize)], pos: usize) -> bool {
    // They are sorted and disjoint: one binary search, not a scan per verdict.
    let i = regions.partition_point(|&(s, _)| s <= pos);
    i > 0 && pos < regions[i - 1].1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_unclosed_and_orphan_closing_tags_give_regions() {
        let t = "a<think>b</think>c";
        assert_eq!(thinking_regions(t), vec![(1, 17)]);
        let t = "x</think>y";
        assert_eq!(thinking_regions(t), vec![(0, 9)]);
        let t = "x<THINKING>y";
        assert_eq!(thinking_regions(t), vec![(1, t.len())]);
        let t = "<think>a</think>b<reasoning>c</reasoning>d";
        let r = thinking_regions(t);
        assert_eq!(r.len(), 2);
        assert!(in_regions(&r, 8) && !in_regions(&r, 16) && in_regions(&r, 28));
        assert!(thinking_regions("no tags").is_empty());
        assert!(ends_inside("a<think>b", &thinking_regions("a<think>b")));
        assert!(!ends_inside(
            "a<think>b</THINK>",
            &thinking_regions("a<think>b</THINK>")
        ));
    }
}
