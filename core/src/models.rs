//! The Atrium models the library returns, written from `shared/atrium-api.md` §4 with its
//! field names exactly. Every field but a resource's key is optional: a missing one is null,
//! an unknown one is ignored, and enumerations (statuses, types) stay strings, so a value
//! Atrium adds later is passed on rather than refused.

use serde::{Deserialize, Serialize};

/// A resource and the envelope keys Atrium wraps it in (§1.3).
pub trait Resource {
    /// The root key of one, for example `user`.
    const ONE: &'static str;
    /// The root key of a list, for example `users`.
    const MANY: &'static str;
}

macro_rules! model {
    ($(#[$meta:meta])* $name:ident ($one:literal, $many:literal) { $key:ident: $key_ty:ty $(, $(#[$fmeta:meta])* $field:ident: $ty:ty)* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub struct $name {
            pub $key: $key_ty,
            $($(#[$fmeta])* #[serde(default)] pub $field: Option<$ty>,)*
        }

        impl Resource for $name {
            const ONE: &'static str = $one;
            const MANY: &'static str = $many;
        }
    };
}

model!(User("user", "users") { guid: String, identifier: String, is_disabled: bool, metadata: String });

model!(Institution("institution", "institutions") {
    code: String,
    medium_logo_url: String,
    name: String,
    small_logo_url: String,
    supports_account_identification: bool,
    supports_account_statement: bool,
    supports_account_verification: bool,
    supports_oauth: bool,
    supports_transaction_history: bool,
    url: String,
});

/// An option of a credential or an OPTIONS challenge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CredentialOption {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
}

/// An option of an IMAGE_OPTIONS challenge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImageOption {
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub data_uri: Option<String>,
}

model!(
    /// An institution's or a member's credential field (CredentialResponse).
    Credential("credential", "credentials") {
        guid: String,
        label: String,
        field_name: String,
        /// `LOGIN`, `PASSWORD`, `OPTIONS`, …
        r#type: String,
        options: Vec<CredentialOption>,
        display_order: i64,
    }
);

model!(Challenge("challenge", "challenges") {
    guid: String,
    label: String,
    field_name: String,
    r#type: String,
    image_data: String,
    options: Vec<CredentialOption>,
    image_options: Vec<ImageOption>,
});

model!(Member("member", "members") {
    guid: String,
    aggregated_at: String,
    #[cfg_attr(feature = "ts", ts(type = "ConnectionStatus | null"))]
    connection_status: String,
    identifier: String,
    institution_code: String,
    is_being_aggregated: bool,
    is_oauth: bool,
    metadata: String,
    name: String,
    oauth_window_uri: String,
    status: String,
    successfully_aggregated_at: String,
    user_guid: String,
});

model!(
    /// What `readMemberStatus` answers (MemberConnectionStatus).
    MemberStatus("member", "members") {
        guid: String,
        aggregated_at: String,
        challenges: Vec<Challenge>,
        #[cfg_attr(feature = "ts", ts(type = "ConnectionStatus | null"))]
        connection_status: String,
        has_processed_accounts: bool,
        has_processed_transactions: bool,
        is_authenticated: bool,
        is_being_aggregated: bool,
        status: String,
        successfully_aggregated_at: String,
    }
);

model!(Account("account", "accounts") {
    guid: String,
    account_number: String,
    apr: f64,
    apy: f64,
    available_balance: f64,
    available_credit: f64,
    balance: f64,
    cash_balance: f64,
    cash_surrender_value: f64,
    created_at: String,
    credit_limit: f64,
    currency_code: String,
    day_payment_is_due: i64,
    death_benefit: f64,
    holdings_value: f64,
    institution_code: String,
    insured_name: String,
    interest_rate: f64,
    is_closed: bool,
    last_payment: f64,
    last_payment_at: String,
    loan_amount: f64,
    matures_on: String,
    member_guid: String,
    minimum_balance: f64,
    minimum_payment: f64,
    name: String,
    original_balance: f64,
    payment_due_at: String,
    payoff_balance: f64,
    pay_out_amount: f64,
    premium_amount: f64,
    started_on: String,
    subtype: String,
    total_account_value: f64,
    r#type: String,
    updated_at: String,
    user_guid: String,
});

model!(Transaction("transaction", "transactions") {
    guid: String,
    account_guid: String,
    amount: f64,
    category: String,
    check_number: i64,
    check_number_string: String,
    created_at: String,
    currency_code: String,
    date: String,
    description: String,
    is_bill_pay: bool,
    is_direct_deposit: bool,
    is_expense: bool,
    is_fee: bool,
    is_income: bool,
    is_international: bool,
    is_overdraft_fee: bool,
    is_payroll_advance: bool,
    is_subscription: bool,
    latitude: f64,
    longitude: f64,
    member_guid: String,
    memo: String,
    merchant_category_code: i64,
    merchant_guid: String,
    merchant_location_guid: String,
    original_description: String,
    posted_at: String,
    status: String,
    top_level_category: String,
    transacted_at: String,
    r#type: String,
    updated_at: String,
    user_guid: String,
});

model!(Holding("holding", "holdings") {
    guid: String,
    account_guid: String,
    cost_basis: f64,
    created_at: String,
    currency_code: String,
    cusip: String,
    daily_change: f64,
    description: String,
    holding_type: String,
    market_value: f64,
    member_guid: String,
    purchase_price: f64,
    shares: f64,
    symbol: String,
    updated_at: String,
    user_guid: String,
});

model!(Statement("statement", "statements") {
    guid: String,
    account_guid: String,
    content_hash: String,
    created_at: String,
    member_guid: String,
    updated_at: String,
    uri: String,
    user_guid: String,
});

model!(AccountNumber("account_number", "account_numbers") {
    account_guid: String,
    account_number: String,
    institution_number: String,
    member_guid: String,
    routing_number: String,
    transit_number: String,
    user_guid: String,
});

model!(AccountOwner("account_owner", "account_owners") {
    guid: String,
    account_guid: String,
    address: String,
    city: String,
    country: String,
    email: String,
    member_guid: String,
    owner_name: String,
    postal_code: String,
    state: String,
    user_guid: String,
});

model!(Merchant("merchant", "merchants") {
    guid: String,
    created_at: String,
    logo_url: String,
    name: String,
    updated_at: String,
    website_url: String,
});

model!(MerchantLocation("merchant_location", "merchant_locations") {
    guid: String,
    city: String,
    latitude: f64,
    longitude: f64,
    merchant_guid: String,
    phone_number: String,
    postal_code: String,
    state: String,
    store_number: String,
    street_address: String,
});

model!(
    /// What `getConnectWidget` answers, under the key `user` (§3.12).
    ConnectWidget("user", "users") { guid: String, connect_widget_url: String }
);

model!(
    /// One result of `cleanseAndCategorize`.
    CleansedTransaction("transaction", "transactions") {
        identifier: String,
        amount: f64,
        category: String,
        category_guid: String,
        description: String,
        is_bill_pay: bool,
        is_direct_deposit: bool,
        is_expense: bool,
        is_fee: bool,
        is_income: bool,
        is_international: bool,
        is_overdraft_fee: bool,
        is_payroll_advance: bool,
        is_subscription: bool,
        merchant_category_code: f64,
        merchant_guid: String,
        original_description: String,
        r#type: String,
    }
);

/// What `GET {relay}/atrium/session` answers: the relay token's own user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub user_guid: crate::ids::UserGuid,
    pub expires_at: String,
}

crate::from_tree_by_fields!(lenient Session { user_guid, expires_at });

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_are_null_unknown_ones_ignored_new_values_kept() {
        let t: Transaction = serde_json::from_str(
            r#"{"guid": "TRN-1", "amount": 1.5, "status": "SOMETHING_NEW", "brand_new_field": [1, 2]}"#,
        )
        .unwrap();
        assert_eq!(t.status.as_deref(), Some("SOMETHING_NEW"));
        assert_eq!(t.category, None);
        let json = serde_json::to_value(&t).unwrap();
        assert!(json["category"].is_null());
        assert!(json.get("brand_new_field").is_none());
        assert!(json.get("type").is_some(), "`r#type` is `type` on the wire");
    }

    #[test]
    fn a_resource_needs_its_key() {
        assert!(serde_json::from_str::<Member>(r#"{"connection_status": "CONNECTED"}"#).is_err());
    }
}
