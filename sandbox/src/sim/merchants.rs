//! Merchants and their locations (global, not per user), and the categories transactions use.

use serde::Serialize;

use crate::error::ApiError;
use crate::sim::logos;
use crate::sim::seed::{hash, Rng};

/// A spending category: its name, its top-level group, the merchant category code, and
/// whether money comes in.
#[derive(Debug, Clone, Copy)]
pub struct Category {
    pub name: &'static str,
    pub top_level: &'static str,
    pub mcc: u32,
    pub income: bool,
}

pub const CATEGORIES: &[Category] = &[
    Category {
        name: "Groceries",
        top_level: "Food & Dining",
        mcc: 5411,
        income: false,
    },
    Category {
        name: "Restaurants",
        top_level: "Food & Dining",
        mcc: 5812,
        income: false,
    },
    Category {
        name: "Coffee Shops",
        top_level: "Food & Dining",
        mcc: 5814,
        income: false,
    },
    Category {
        name: "Gas",
        top_level: "Auto & Transport",
        mcc: 5541,
        income: false,
    },
    Category {
        name: "Public Transportation",
        top_level: "Auto & Transport",
        mcc: 4111,
        income: false,
    },
    Category {
        name: "Shopping",
        top_level: "Shopping",
        mcc: 5311,
        income: false,
    },
    Category {
        name: "Electronics & Software",
        top_level: "Shopping",
        mcc: 5732,
        income: false,
    },
    Category {
        name: "Utilities",
        top_level: "Bills & Utilities",
        mcc: 4900,
        income: false,
    },
    Category {
        name: "Mobile Phone",
        top_level: "Bills & Utilities",
        mcc: 4814,
        income: false,
    },
    Category {
        name: "Movies & DVDs",
        top_level: "Entertainment",
        mcc: 7832,
        income: false,
    },
    Category {
        name: "Pharmacy",
        top_level: "Health & Fitness",
        mcc: 5912,
        income: false,
    },
    Category {
        name: "Gym",
        top_level: "Health & Fitness",
        mcc: 7997,
        income: false,
    },
    Category {
        name: "Paycheck",
        top_level: "Income",
        mcc: 0,
        income: true,
    },
    Category {
        name: "Transfer",
        top_level: "Transfer",
        mcc: 4829,
        income: false,
    },
    Category {
        name: "ATM Fee",
        top_level: "Fees & Charges",
        mcc: 6011,
        income: false,
    },
];

/// (merchant name, website, index into CATEGORIES)
const MERCHANTS: &[(&str, &str, usize)] = &[
    ("Whole Foods", "https://www.wholefoodsmarket.com", 0),
    ("Trader Joe's", "https://www.traderjoes.com", 0),
    ("Kroger", "https://www.kroger.com", 0),
    ("Chipotle", "https://www.chipotle.com", 1),
    ("Olive Garden", "https://www.olivegarden.com", 1),
    ("Starbucks", "https://www.starbucks.com", 2),
    ("Dutch Bros", "https://www.dutchbros.com", 2),
    ("Chevron", "https://www.chevron.com", 3),
    ("Shell", "https://www.shell.com", 3),
    ("Metro Transit", "https://www.metrotransit.org", 4),
    ("Target", "https://www.target.com", 5),
    ("Amazon", "https://www.amazon.com", 5),
    ("Best Buy", "https://www.bestbuy.com", 6),
    ("Apple", "https://www.apple.com", 6),
    ("City Power & Light", "https://www.example-utility.com", 7),
    ("Verizon", "https://www.verizon.com", 8),
    ("AMC Theatres", "https://www.amctheatres.com", 9),
    ("Netflix", "https://www.netflix.com", 9),
    ("CVS Pharmacy", "https://www.cvs.com", 10),
    ("Walgreens", "https://www.walgreens.com", 10),
    ("Planet Fitness", "https://www.planetfitness.com", 11),
    ("Acme Corp Payroll", "https://www.example-employer.com", 12),
];

#[derive(Debug, Clone, Serialize)]
pub struct Merchant {
    pub created_at: &'static str,
    pub guid: String,
    pub logo_url: String,
    pub name: &'static str,
    pub updated_at: &'static str,
    pub website_url: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct MerchantLocation {
    pub city: &'static str,
    pub guid: String,
    pub latitude: f64,
    pub longitude: f64,
    pub merchant_guid: String,
    pub phone_number: String,
    pub postal_code: String,
    pub state: &'static str,
    pub store_number: String,
    pub street_address: String,
}

const FIXED_AT: &str = "2019-10-07T16:25:27Z";
const CITIES: &[(&str, &str, f64, f64)] = &[
    ("Lehi", "UT", 40.39, -111.85),
    ("Salt Lake City", "UT", 40.76, -111.89),
    ("Denver", "CO", 39.74, -104.99),
    ("Austin", "TX", 30.27, -97.74),
];

pub fn merchant_guid(index: usize) -> String {
    Rng::derive(hash("merchant"), &[index as u64]).guid("MCH")
}

/// The merchant at `index`, its logo under `logo_base`.
pub fn merchant(index: usize, logo_base: &str) -> Merchant {
    let (name, website, _) = MERCHANTS[index];
    let guid = merchant_guid(index);
    Merchant {
        created_at: FIXED_AT,
        logo_url: logos::merchant_url(logo_base, &guid),
        guid,
        name,
        updated_at: FIXED_AT,
        website_url: website,
    }
}

/// Every merchant, in the catalogue's order, their logos under `logo_base`.
pub fn all(logo_base: &str) -> Vec<Merchant> {
    (0..MERCHANTS.len())
        .map(|i| merchant(i, logo_base))
        .collect()
}

/// The locations of the merchant at `index`.
pub fn locations(index: usize) -> Vec<MerchantLocation> {
    let merchant_guid = merchant_guid(index);
    let mut rng = Rng::derive(hash("merchant-location"), &[index as u64]);
    (0..1 + index % 3)
        .map(|n| {
            let (city, state, lat, lon) = *rng.pick(CITIES);
            MerchantLocation {
                city,
                guid: rng.guid("MCL"),
                latitude: lat + rng.range(-500, 500) as f64 / 10_000.0,
                longitude: lon + rng.range(-500, 500) as f64 / 10_000.0,
                merchant_guid: merchant_guid.clone(),
                phone_number: format!("801-555-{}", rng.digits(4)),
                postal_code: rng.digits(5),
                state,
                store_number: format!("{}", 100 + n),
                street_address: format!("{} Main Street", rng.range(10, 9999)),
            }
        })
        .collect()
}

/// The merchants of one category, by index into the fixture.
pub fn merchants_in(category: usize) -> Vec<usize> {
    MERCHANTS
        .iter()
        .enumerate()
        .filter(|(_, m)| m.2 == category)
        .map(|(i, _)| i)
        .collect()
}

pub fn merchant_name(index: usize) -> &'static str {
    MERCHANTS[index].0
}

/// The merchant whose name the text contains, for cleansing descriptions.
pub fn find_in_text(text: &str) -> Option<usize> {
    let lower = text.to_lowercase();
    MERCHANTS.iter().position(|(name, _, _)| {
        let key: String = name
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ')
            .collect();
        let first = key.split(' ').next().unwrap_or("");
        lower.contains(&key) || (first.len() >= 4 && lower.contains(first))
    })
}

pub fn category_of(merchant: usize) -> &'static Category {
    &CATEGORIES[MERCHANTS[merchant].2]
}

/// The name of the merchant with this GUID, if there is one.
pub fn name_of(guid: &str) -> Option<&'static str> {
    find(guid).ok().map(|i| MERCHANTS[i].0)
}

/// The index of the merchant with this GUID, or 404.
pub fn find(guid: &str) -> Result<usize, ApiError> {
    (0..MERCHANTS.len())
        .find(|i| merchant_guid(*i) == guid)
        .ok_or_else(|| ApiError::not_found("merchant"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merchants_are_stable_and_findable() {
        assert_eq!(merchant_guid(3), merchant(3, "").guid);
        assert_eq!(find(&merchant_guid(5)).unwrap(), 5);
        assert_eq!(name_of(&merchant_guid(5)), Some(MERCHANTS[5].0));
        assert_eq!(find_in_text("STARBUCKS #1234 SEATTLE"), Some(5));
        assert_eq!(find_in_text("POS PURCHASE WHOLE FOODS MKT"), Some(0));
        assert_eq!(find_in_text("xyz"), None);
        assert!(!merchants_in(0).is_empty());
    }
}
