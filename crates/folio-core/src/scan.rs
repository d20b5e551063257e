//! Finding the few bytes a text pass acts on (smart punctuation's quotes and
//! dashes, French spacing's high punctuation) with memchr's SIMD searches
//! rather than a test of every byte: most of a book's text holds none.

/// Where one search matches next in a text, remembered: several searches
/// walked side by side (the next byte to look at is the nearest of theirs)
/// each scan the text once, not once per byte the others find.
pub struct Next<F> {
    find: F,
    /// `None`: not searched yet; `Some(None)`: no match left.
    found: Option<Option<usize>>,
}

impl<F: Fn(usize) -> Option<usize>> Next<F> {
    /// `find(at)`: the first match at or after byte `at`.
    pub fn new(find: F) -> Self {
        Next { find, found: None }
    }

    /// The first match at or after `at`; `at` never goes back.
    pub fn at_or_after(&mut self, at: usize) -> Option<usize> {
        match self.found {
            Some(Some(found)) if found >= at => Some(found),
            Some(None) => None,
            _ => {
                let found = (self.find)(at);
                self.found = Some(found);
                found
            }
        }
    }
}

/// The first of `a` and `b` at or after `at`.
pub fn nearest(
    a: &mut Next<impl Fn(usize) -> Option<usize>>,
    b: &mut Next<impl Fn(usize) -> Option<usize>>,
    at: usize,
) -> Option<usize> {
    match (a.at_or_after(at), b.at_or_after(at)) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_searches_side_by_side_give_every_position_once_in_order() {
        let text = b"a-b.c--d...e-";
        let mut dashes = Next::new(|at| memchr::memchr(b'-', &text[at..]).map(|i| at + i));
        let mut dots = Next::new(|at| memchr::memchr(b'.', &text[at..]).map(|i| at + i));
        let mut found = Vec::new();
        let mut at = 0;
        while let Some(i) = nearest(&mut dashes, &mut dots, at) {
            found.push(i);
            at = i + 1;
        }
        let expected: Vec<usize> = (0..text.len())
            .filter(|&i| matches!(text[i], b'-' | b'.'))
            .collect();
        assert_eq!(found, expected);
    }
}
