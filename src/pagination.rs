//! Atrium's `pagination` object, and how the paging helpers walk the pages after the first.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pagination {
    pub current_page: u32,
    pub per_page: u32,
    pub total_entries: u32,
    pub total_pages: u32,
}

impl Pagination {
    /// The page after this one, if there is one.
    pub fn next_page(&self) -> Option<u32> {
        (self.current_page < self.total_pages).then(|| self.current_page + 1)
    }

    /// The pages after this one, for fetching all of a list once its first page is known.
    pub fn remaining(&self) -> std::ops::RangeInclusive<u32> {
        self.current_page.saturating_add(1)..=self.total_pages
    }
}

/// How many pages `all()` keeps in flight: at least one, at most 16.
pub fn concurrency(requested: Option<u32>) -> usize {
    requested.unwrap_or(4).clamp(1, 16) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_page_stops_at_the_last() {
        let p = |current_page, total_pages| Pagination {
            current_page,
            per_page: 25,
            total_entries: 60,
            total_pages,
        };
        assert_eq!(p(1, 3).next_page(), Some(2));
        assert_eq!(p(3, 3).next_page(), None);
        assert_eq!(p(1, 0).next_page(), None);
        assert_eq!(p(7, 3).next_page(), None);
        assert_eq!(p(1, 3).remaining().collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(p(1, 1).remaining().count(), 0);
        assert_eq!(p(1, 0).remaining().count(), 0);
        assert_eq!(
            (
                concurrency(None),
                concurrency(Some(0)),
                concurrency(Some(99))
            ),
            (4, 1, 16)
        );
    }
}
