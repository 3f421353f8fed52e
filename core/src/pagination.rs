//! Atrium's `pagination` object, and how the paging helpers walk the pages after the first.

use serde::{Deserialize, Serialize};

/// Atrium's pagination object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Pagination {
    pub current_page: u32,
    pub per_page: u32,
    pub total_entries: u32,
    pub total_pages: u32,
}

crate::from_tree_by_fields!(lenient Pagination { current_page, per_page, total_entries, total_pages });

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

/// Which pages `all()` fetches when, once the first is known: at most `width` in flight,
/// their items appended in page order (the oldest in flight is the next one awaited).
#[derive(Debug)]
pub struct Schedule {
    pending: std::ops::RangeInclusive<u32>,
    in_flight: std::collections::VecDeque<u32>,
    width: usize,
}

impl Schedule {
    pub fn after(first: &Pagination, width: usize) -> Self {
        Schedule {
            pending: first.remaining(),
            in_flight: std::collections::VecDeque::new(),
            width: width.max(1),
        }
    }

    /// The pages to request now.
    pub fn start(&mut self) -> Vec<u32> {
        let mut out = Vec::new();
        while self.in_flight.len() < self.width {
            let Some(page) = self.pending.next() else {
                break;
            };
            self.in_flight.push_back(page);
            out.push(page);
        }
        out
    }

    /// The page whose items come next; taking it off leaves room for another.
    pub fn next_in_order(&mut self) -> Option<u32> {
        self.in_flight.pop_front()
    }
}

/// Where `pages()` stands: the page to fetch next, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor(Option<u32>);

impl Cursor {
    /// Starting at `page` (1 when not given; 0 counts as 1).
    pub fn at(page: Option<u32>) -> Self {
        Cursor(Some(page.unwrap_or(1).max(1)))
    }

    pub fn page(&self) -> Option<u32> {
        self.0
    }

    /// After a page came: the one after it, or the end.
    pub fn advance(&mut self, came: &Pagination) {
        self.0 = came.next_page();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(current_page: u32, total_pages: u32) -> Pagination {
        Pagination {
            current_page,
            per_page: 25,
            total_entries: total_pages * 25,
            total_pages,
        }
    }

    #[test]
    fn all_keeps_its_width_and_the_order() {
        let mut s = Schedule::after(&of(1, 7), 3);
        assert_eq!(s.start(), vec![2, 3, 4]);
        assert_eq!(s.start(), Vec::<u32>::new(), "full");
        assert_eq!(s.next_in_order(), Some(2));
        assert_eq!(s.start(), vec![5]);
        let mut order = vec![2];
        while let Some(p) = s.next_in_order() {
            order.push(p);
            s.start();
        }
        assert_eq!(order, vec![2, 3, 4, 5, 6, 7]);
        let mut one = Schedule::after(&of(1, 1), 4);
        assert!(one.start().is_empty() && one.next_in_order().is_none());
    }

    #[test]
    fn pages_walk_from_where_they_start_to_the_last() {
        let mut c = Cursor::at(None);
        assert_eq!(c.page(), Some(1));
        c.advance(&of(1, 2));
        assert_eq!(c.page(), Some(2));
        c.advance(&of(2, 2));
        assert_eq!(c.page(), None);
        assert_eq!(Cursor::at(Some(0)).page(), Some(1));
        assert_eq!(Cursor::at(Some(5)).page(), Some(5));
    }

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
