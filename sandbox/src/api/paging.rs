//! Atrium's `page` / `records_per_page` query parameters and the `pagination` object.

use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::ApiError;

/// Atrium's samples always show 25; the real maximum is undocumented, so ours is stated here.
pub const DEFAULT_PER_PAGE: u32 = 25;
pub const MAX_PER_PAGE: u32 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Pagination {
    pub current_page: u32,
    pub per_page: u32,
    pub total_entries: u32,
    pub total_pages: u32,
}

impl PageRequest {
    pub fn parse(page: Option<&str>, per_page: Option<&str>) -> Result<Self, ApiError> {
        let page = match page {
            None => 1,
            Some(s) => parse_positive("page", s, u32::MAX)?,
        };
        let per_page = match per_page {
            None => DEFAULT_PER_PAGE,
            Some(s) => parse_positive("records_per_page", s, MAX_PER_PAGE)?,
        };
        Ok(PageRequest { page, per_page })
    }

    /// The `page` and `records_per_page` of a query.
    pub fn from_query(q: &std::collections::HashMap<String, String>) -> Result<Self, ApiError> {
        Self::parse(
            q.get("page").map(String::as_str),
            q.get("records_per_page").map(String::as_str),
        )
    }

    /// The slice of `items` this page covers, and the `pagination` object that describes it.
    pub fn apply<T: Clone>(&self, items: &[T]) -> (Vec<T>, Pagination) {
        let total = items.len();
        let per = self.per_page as usize;
        let start = (self.page as usize - 1).saturating_mul(per).min(total);
        let end = start.saturating_add(per).min(total);
        let pagination = Pagination {
            current_page: self.page,
            per_page: self.per_page,
            total_entries: total as u32,
            total_pages: total.div_ceil(per) as u32,
        };
        (items[start..end].to_vec(), pagination)
    }

    /// This page of `items` as every list is answered: under `key`, with its `pagination`.
    pub fn answer<T: Clone + Serialize>(&self, key: &str, items: &[T]) -> Json<Value> {
        let (items, pagination) = self.apply(items);
        Json(json!({ key: items, "pagination": pagination }))
    }
}

fn parse_positive(name: &str, s: &str, max: u32) -> Result<u32, ApiError> {
    match s.parse::<u32>() {
        Ok(n) if n >= 1 && n <= max => Ok(n),
        _ => Err(ApiError::BadRequest(format!(
            "{name} must be a whole number from 1 to {max}, not {s:?}."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_the_first_page_of_25() {
        assert_eq!(
            PageRequest::parse(None, None).unwrap(),
            PageRequest {
                page: 1,
                per_page: 25
            }
        );
    }

    #[test]
    fn slices_and_counts() {
        let items: Vec<u32> = (0..53).collect();
        let req = PageRequest::parse(Some("3"), Some("25")).unwrap();
        let (page, p) = req.apply(&items);
        assert_eq!(page, vec![50, 51, 52]);
        assert_eq!(
            (p.current_page, p.per_page, p.total_entries, p.total_pages),
            (3, 25, 53, 3)
        );
        let (beyond, p) = PageRequest::parse(Some("9"), None).unwrap().apply(&items);
        assert!(beyond.is_empty());
        assert_eq!(p.total_pages, 3);
        let (none, p) = PageRequest::parse(None, None).unwrap().apply::<u32>(&[]);
        assert!(none.is_empty());
        assert_eq!(p.total_pages, 0);
    }

    #[test]
    fn refuses_what_is_not_a_page() {
        for (page, per) in [
            ("0", "1"),
            ("-1", "1"),
            ("x", "1"),
            ("1", "0"),
            ("1", "1001"),
            ("1.5", "2"),
        ] {
            assert!(
                PageRequest::parse(Some(page), Some(per)).is_err(),
                "{page} {per}"
            );
        }
        // A huge page number must not overflow the slice arithmetic.
        let (items, _) = PageRequest::parse(Some("4294967295"), Some("1000"))
            .unwrap()
            .apply(&[1, 2, 3]);
        assert!(items.is_empty());
    }
}
