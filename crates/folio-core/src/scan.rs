//! Searching a text for what a pass acts on, each search's next match kept:
//! the marks smart punctuation and French spacing change (found with
//! memchr's SIMD searches rather than a test of every byte), the formulas
//! delimited in a run of text.

/// A match found at a byte of the text.
pub trait Match {
    fn start(&self) -> usize;
}

impl Match for usize {
    fn start(&self) -> usize {
        *self
    }
}

/// Where one search matches next in a text, remembered: several searches
/// walked side by side (the next thing to look at is the nearest of their
/// matches) each scan the text once, not once per match the others find.
pub struct Next<T, F> {
    find: F,
    /// `None`: not searched yet (or the match was taken); `Some(None)`: no
    /// match left.
    found: Option<Option<T>>,
}

impl<T: Match, F: FnMut(usize) -> Option<T>> Next<T, F> {
    /// `find(at)`: the first match at or after byte `at`.
    pub fn new(find: F) -> Self {
        Next { find, found: None }
    }

    /// The first match at or after `at`; `at` never goes back.
    pub fn at_or_after(&mut self, at: usize) -> Option<&T> {
        let kept = match &self.found {
            Some(Some(found)) => found.start() >= at,
            Some(None) => true,
            None => false,
        };
        if !kept {
            self.found = Some((self.find)(at));
        }
        self.found.as_ref().and_then(Option::as_ref)
    }

    /// Takes the match [`Next::at_or_after`] gave: the next call searches
    /// again (unless no match was left).
    pub fn take(&mut self) -> Option<T> {
        match self.found {
            Some(Some(_)) => self.found.take().flatten(),
            _ => None,
        }
    }
}

/// The start of the first of `a`'s and `b`'s matches at or after `at`.
pub fn nearest<A: Match, B: Match>(
    a: &mut Next<A, impl FnMut(usize) -> Option<A>>,
    b: &mut Next<B, impl FnMut(usize) -> Option<B>>,
    at: usize,
) -> Option<usize> {
    let a = a.at_or_after(at).map(Match::start);
    let b = b.at_or_after(at).map(Match::start);
    match (a, b) {
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
