//! `POST /transactions/cleanse_and_categorize` (§3.5): categorizes descriptions without
//! storing anything.

use std::sync::Arc;

use axum::body::Bytes;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::body;
use crate::error::ApiError;
use crate::sim::merchants::{self, CATEGORIES};
use crate::sim::seed::{hash, Rng};
use crate::AppState;

pub(super) fn routes() -> Router<Arc<AppState>> {
    Router::new().route(
        "/transactions/cleanse_and_categorize",
        post(cleanse_and_categorize),
    )
}

pub const MAX_TRANSACTIONS: usize = 100;

#[derive(Debug, Deserialize)]
struct Item {
    identifier: Option<String>,
    description: Option<String>,
    amount: Option<f64>,
    #[serde(rename = "type")]
    kind: Option<String>,
    merchant_category_code: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct Request {
    transactions: Vec<Item>,
}

/// Title-cases the words of a raw description, dropping store numbers and reference codes.
fn cleanse(raw: &str) -> String {
    raw.split_whitespace()
        .filter(|w| !w.starts_with('#') && !w.chars().any(|c| c.is_ascii_digit()))
        .map(|w| {
            let lower = w.to_lowercase();
            let mut cs = lower.chars();
            cs.next()
                .map(|f| f.to_uppercase().collect::<String>() + cs.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `POST /transactions/cleanse_and_categorize`: every item is checked before any is answered.
pub async fn cleanse_and_categorize(bytes: Bytes) -> Result<Json<Value>, ApiError> {
    let req: Request = body::parse(&bytes)?;
    if req.transactions.len() > MAX_TRANSACTIONS {
        return Err(ApiError::BadRequest(format!(
            "At most {MAX_TRANSACTIONS} transactions per request."
        )));
    }
    let out = req
        .transactions
        .iter()
        .enumerate()
        .map(|(n, t)| categorize(n, t))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({ "transactions": out })))
}

/// The `n`th item, cleansed and categorized: by a merchant its description names, else by
/// its merchant category code, else as income or shopping.
fn categorize(n: usize, t: &Item) -> Result<Value, ApiError> {
    let identifier = t
        .identifier
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            ApiError::Unprocessable(format!("transactions[{n}].identifier is required."))
        })?;
    let description = t
        .description
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            ApiError::Unprocessable(format!("transactions[{n}].description is required."))
        })?;
    if let Some(k) = &t.kind {
        if k != "CREDIT" && k != "DEBIT" {
            return Err(ApiError::Unprocessable(format!(
                "transactions[{n}].type must be CREDIT or DEBIT."
            )));
        }
    }
    let merchant = merchants::find_in_text(description);
    let by_mcc = t.merchant_category_code.and_then(|mcc| {
        CATEGORIES
            .iter()
            .position(|c| f64::from(c.mcc) == mcc && c.mcc != 0)
    });
    let category = match (merchant, by_mcc) {
        (Some(m), _) => merchants::category_of(m),
        (None, Some(i)) => &CATEGORIES[i],
        _ if t.kind.as_deref() == Some("CREDIT") => &CATEGORIES[12],
        _ => &CATEGORIES[5],
    };
    let category_guid = Rng::derive(hash("category"), &[hash(category.name)]).guid("CAT");
    Ok(json!({
        "amount": t.amount,
        "categorized_by": 9,
        "category": category.name,
        "category_guid": category_guid,
        "described_by": 6,
        "description": merchant.map(|m| merchants::merchant_name(m).to_string()).unwrap_or_else(|| cleanse(description)),
        "identifier": identifier,
        "is_bill_pay": matches!(category.name, "Utilities" | "Mobile Phone"),
        "is_direct_deposit": category.name == "Paycheck",
        "is_expense": t.kind.as_deref() != Some("CREDIT"),
        "is_fee": category.top_level == "Fees & Charges",
        "is_income": category.income,
        "is_international": false,
        "is_overdraft_fee": false,
        "is_payroll_advance": false,
        "is_subscription": merchant.is_some_and(|m| merchants::merchant_name(m) == "Netflix"),
        "memo": null,
        "merchant_category_code": t.merchant_category_code.or((category.mcc != 0).then_some(f64::from(category.mcc))),
        "merchant_guid": merchant.map(merchants::merchant_guid),
        "merchant_location_guid": null,
        "original_description": description,
        "type": t.kind,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleansing() {
        assert_eq!(
            cleanse("POS PURCHASE ACME HARDWARE #123 LEHI UT 84043"),
            "Pos Purchase Acme Hardware Lehi Ut"
        );
    }
}
