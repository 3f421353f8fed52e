//! Atrium's `pagination` object and the `{ items, pagination }` pages the library returns.

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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub pagination: Pagination,
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
    }
}
