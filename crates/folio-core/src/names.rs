//! Unique names: ids, output paths, file names. Whatever a book holds (a
//! hundred thousand headings called "Example", five thousand chapter files
//! whose names make the same slug), giving the next name costs about the
//! same: each base remembers the next number to try, instead of trying
//! `-2`, `-3`… from the start every time.

use foldhash::{HashMap, HashSet};

/// Names given so far.
#[derive(Debug, Clone, Default)]
pub struct UniqueNames {
    /// Every name taken, lowercased when names are compared without case.
    taken: HashSet<String>,
    /// For each base asked for, the number its next candidate gets.
    next: HashMap<String, u32>,
    fold_case: bool,
}

impl UniqueNames {
    /// Names that differ only in case are different names (ids).
    pub fn new() -> Self {
        UniqueNames::default()
    }

    /// Names that differ only in case are the same name: file names, which
    /// EPUB reading systems and some file systems compare without case.
    pub fn ignoring_case() -> Self {
        UniqueNames {
            fold_case: true,
            ..UniqueNames::default()
        }
    }

    fn key(&self, name: &str) -> String {
        if self.fold_case {
            name.to_lowercase()
        } else {
            name.to_string()
        }
    }

    /// Every name taken (lowercased, when compared without case).
    pub fn into_taken(self) -> HashSet<String> {
        self.taken
    }

    pub fn is_taken(&self, name: &str) -> bool {
        if self.fold_case {
            self.taken.contains(&name.to_lowercase())
        } else {
            self.taken.contains(name)
        }
    }

    /// Takes `name` as it is; `false` if it was taken already.
    pub fn take(&mut self, name: &str) -> bool {
        let key = self.key(name);
        self.taken.insert(key)
    }

    /// `base`, or `base-2`, `base-3`…: the first one not taken, now taken.
    pub fn unique(&mut self, base: &str) -> String {
        self.unique_besides(base, |_| false)
    }

    /// [`UniqueNames::unique`] among these names and the names
    /// `taken_elsewhere` says are taken (a set kept elsewhere, too big to
    /// copy in). That set may only grow between calls: the number each base
    /// remembers assumes that no name it skipped becomes free again.
    pub fn unique_besides(&mut self, base: &str, taken_elsewhere: impl Fn(&str) -> bool) -> String {
        self.first_free(base, |n| format!("{base}-{n}"), taken_elsewhere)
    }

    /// `file`, or `file-2.ext`, `file-3.ext`… (the number before the
    /// extension): the first one not taken, now taken.
    pub fn unique_file(&mut self, file: &str) -> String {
        let (stem, extension) = match file.rsplit_once('.') {
            Some((stem, extension))
                if !extension.contains('/') && !stem.is_empty() && !stem.ends_with('/') =>
            {
                (stem, Some(extension))
            }
            _ => (file, None),
        };
        self.first_free(
            file,
            |n| match extension {
                Some(extension) => format!("{stem}-{n}.{extension}"),
                None => format!("{stem}-{n}"),
            },
            |_| false,
        )
    }

    fn first_free(
        &mut self,
        name: &str,
        numbered: impl Fn(u32) -> String,
        taken_elsewhere: impl Fn(&str) -> bool,
    ) -> String {
        let take = |names: &mut Self, candidate: &str| {
            !taken_elsewhere(candidate) && names.take(candidate)
        };
        if take(self, name) {
            return name.to_string();
        }
        let base = self.key(name);
        let mut n = self.next.get(&base).copied().unwrap_or(2);
        loop {
            let candidate = numbered(n);
            n += 1;
            if take(self, &candidate) {
                self.next.insert(base, n);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_the_base() {
        let mut names = UniqueNames::new();
        assert!(names.take("intro-3"));
        let given: Vec<String> = (0..4).map(|_| names.unique("intro")).collect();
        assert_eq!(given, ["intro", "intro-2", "intro-4", "intro-5"]);
        assert_eq!(names.unique("Intro"), "Intro", "case matters for ids");
    }

    #[test]
    fn files_are_numbered_before_their_extension_and_compared_without_case() {
        let mut names = UniqueNames::ignoring_case();
        assert_eq!(names.unique_file("img/Plan.png"), "img/Plan.png");
        assert_eq!(names.unique_file("img/plan.png"), "img/plan-2.png");
        assert_eq!(names.unique_file("notes"), "notes");
        assert_eq!(names.unique_file("notes"), "notes-2");
        assert_eq!(names.unique_file("a.b/c"), "a.b/c");
        assert_eq!(names.unique_file("a.b/c"), "a.b/c-2");
        assert_eq!(names.unique_file(".hidden"), ".hidden");
        assert_eq!(names.unique_file(".hidden"), ".hidden-2");
        assert!(names.is_taken("IMG/PLAN-2.PNG"));
    }

    #[test]
    fn numbering_goes_on_where_it_stopped() {
        let mut names = UniqueNames::new();
        for _ in 0..1000 {
            names.unique("example");
        }
        assert_eq!(
            names.next.get("example"),
            Some(&1001),
            "the next candidate is remembered, not searched"
        );
        assert_eq!(names.unique("example"), "example-1001");
    }
}
