//! A member's data — accounts, transactions, holdings, statements, account numbers and
//! owners — generated on demand from the member's seed and what its aggregations have done,
//! so the same member always shows the same data and idle members cost no memory.

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::sim::clock::{date, timestamp, Millis, DAY, HOUR, MINUTE};
use crate::sim::merchants::{self, CATEGORIES};
use crate::sim::seed::Rng;

/// What a member's aggregations have produced so far; everything else derives from `seed`.
#[derive(Debug, Clone, Default)]
pub struct DataState {
    pub seed: u64,
    /// When the latest successful standard aggregation finished: data runs up to this day.
    pub synced_at: Option<Millis>,
    /// How many days of history (90, or 730 once extended).
    pub history_days: i64,
    /// A fixed number of transactions (the large-volume test logins).
    pub volume: Option<u32>,
    pub balances_at: Option<Millis>,
    pub verified_at: Option<Millis>,
    pub identified_at: Option<Millis>,
    pub statements_at: Option<Millis>,
}

pub const DEFAULT_HISTORY_DAYS: i64 = 90;
pub const EXTENDED_HISTORY_DAYS: i64 = 730;
/// The large-volume logins spread their transactions over a year.
const VOLUME_DAYS: i64 = 365;

/// Who the data belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Owner<'a> {
    pub user_guid: &'a str,
    pub member_guid: &'a str,
    pub institution_code: &'a str,
    pub institution_name: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub account_number: Option<String>,
    pub apr: Option<f64>,
    pub apy: Option<f64>,
    pub available_balance: Option<f64>,
    pub available_credit: Option<f64>,
    pub balance: f64,
    pub cash_balance: Option<f64>,
    pub cash_surrender_value: Option<f64>,
    pub created_at: String,
    pub credit_limit: Option<f64>,
    pub currency_code: &'static str,
    pub day_payment_is_due: Option<u32>,
    pub death_benefit: Option<f64>,
    pub guid: String,
    pub holdings_value: Option<f64>,
    pub institution_code: String,
    pub insured_name: Option<String>,
    pub interest_rate: Option<f64>,
    pub is_closed: bool,
    pub last_payment: Option<f64>,
    pub last_payment_at: Option<String>,
    pub loan_amount: Option<f64>,
    pub matures_on: Option<String>,
    pub member_guid: String,
    pub minimum_balance: Option<f64>,
    pub minimum_payment: Option<f64>,
    pub name: String,
    pub original_balance: Option<f64>,
    pub payment_due_at: Option<String>,
    pub payoff_balance: Option<f64>,
    pub pay_out_amount: Option<f64>,
    pub premium_amount: Option<f64>,
    pub started_on: Option<String>,
    pub subtype: Option<&'static str>,
    pub total_account_value: Option<f64>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub updated_at: String,
    pub user_guid: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Transaction {
    pub account_guid: String,
    pub amount: f64,
    pub category: &'static str,
    pub check_number: Option<u32>,
    pub check_number_string: Option<String>,
    pub created_at: String,
    pub currency_code: &'static str,
    pub date: String,
    pub description: String,
    pub guid: String,
    pub is_bill_pay: bool,
    pub is_direct_deposit: bool,
    pub is_expense: bool,
    pub is_fee: bool,
    pub is_income: bool,
    pub is_international: bool,
    pub is_overdraft_fee: bool,
    pub is_payroll_advance: bool,
    pub is_subscription: bool,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub member_guid: String,
    pub memo: Option<String>,
    pub merchant_category_code: Option<u32>,
    pub merchant_guid: Option<String>,
    pub merchant_location_guid: Option<String>,
    pub original_description: String,
    pub posted_at: Option<String>,
    pub status: &'static str,
    pub top_level_category: &'static str,
    pub transacted_at: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub updated_at: String,
    pub user_guid: String,
    /// Days since the epoch of `date`, for filtering; not part of the model.
    #[serde(skip)]
    pub day: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Holding {
    pub account_guid: String,
    pub cost_basis: f64,
    pub created_at: String,
    pub currency_code: &'static str,
    pub cusip: Option<String>,
    pub daily_change: f64,
    pub description: &'static str,
    pub guid: String,
    pub holding_type: &'static str,
    pub market_value: f64,
    pub member_guid: String,
    pub purchase_price: f64,
    pub shares: f64,
    pub symbol: &'static str,
    pub updated_at: String,
    pub user_guid: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub account_guid: String,
    pub content_hash: String,
    pub created_at: String,
    pub guid: String,
    pub member_guid: String,
    pub updated_at: String,
    pub uri: String,
    pub user_guid: String,
    #[serde(skip)]
    pub pdf: Vec<u8>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountNumber {
    pub account_guid: String,
    pub account_number: String,
    pub institution_number: Option<String>,
    pub member_guid: String,
    pub routing_number: String,
    pub transit_number: Option<String>,
    pub user_guid: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountOwner {
    pub account_guid: String,
    pub address: String,
    pub city: &'static str,
    pub country: &'static str,
    pub email: String,
    pub guid: String,
    pub member_guid: String,
    pub owner_name: String,
    pub postal_code: String,
    pub state: &'static str,
    pub user_guid: String,
}

/// The kinds of account a member may hold, in the order they are generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Checking,
    Savings,
    CreditCard,
    Investment,
    Mortgage,
    Loan,
}

impl Kind {
    fn wire(self) -> &'static str {
        match self {
            Kind::Checking => "CHECKING",
            Kind::Savings => "SAVINGS",
            Kind::CreditCard => "CREDIT_CARD",
            Kind::Investment => "INVESTMENT",
            Kind::Mortgage => "MORTGAGE",
            Kind::Loan => "LOAN",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Checking => "Checking",
            Kind::Savings => "Savings",
            Kind::CreditCard => "Credit Card",
            Kind::Investment => "Brokerage",
            Kind::Mortgage => "Home Mortgage",
            Kind::Loan => "Auto Loan",
        }
    }

    /// Debt accounts show what is owed as a positive balance (§4, sign rule).
    fn is_debt(self) -> bool {
        matches!(self, Kind::CreditCard | Kind::Mortgage | Kind::Loan)
    }

    fn has_transactions(self) -> bool {
        matches!(self, Kind::Checking | Kind::Savings | Kind::CreditCard)
    }
}

fn kinds(state: &DataState) -> Vec<Kind> {
    let mut rng = Rng::derive(state.seed, &[1]);
    let mut kinds = vec![Kind::Checking, Kind::Savings];
    if state.volume.is_some() {
        return kinds;
    }
    if rng.chance(85) {
        kinds.push(Kind::CreditCard);
    }
    if rng.chance(50) {
        kinds.push(Kind::Investment);
    }
    if rng.chance(35) {
        kinds.push(Kind::Mortgage);
    }
    if rng.chance(25) {
        kinds.push(Kind::Loan);
    }
    kinds
}

fn account_guid(state: &DataState, index: usize) -> String {
    Rng::derive(state.seed, &[2, index as u64]).guid("ACT")
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The member's transactions, newest first; empty before its first successful aggregation.
pub fn transactions(owner: Owner, state: &DataState) -> Vec<Transaction> {
    let Some(synced_at) = state.synced_at else {
        return Vec::new();
    };
    let last_day = synced_at.div_euclid(DAY);
    let mut out = Vec::new();
    for (index, kind) in kinds(state).into_iter().enumerate() {
        if !kind.has_transactions() {
            continue;
        }
        let account = account_guid(state, index);
        match state.volume {
            Some(n) if kind == Kind::Checking => {
                volume_transactions(owner, state, &account, n, last_day, &mut out)
            }
            Some(_) => {}
            None => daily_transactions(
                owner, state, &account, kind, index, last_day, synced_at, &mut out,
            ),
        }
    }
    out.sort_by(|a, b| b.day.cmp(&a.day).then_with(|| a.guid.cmp(&b.guid)));
    out
}

#[allow(clippy::too_many_arguments)]
fn daily_transactions(
    owner: Owner,
    state: &DataState,
    account: &str,
    kind: Kind,
    index: usize,
    last_day: i64,
    synced_at: Millis,
    out: &mut Vec<Transaction>,
) {
    let history = if state.history_days > 0 {
        state.history_days
    } else {
        DEFAULT_HISTORY_DAYS
    };
    for day in (last_day - history + 1)..=last_day {
        let mut rng = Rng::derive(state.seed, &[3, index as u64, day as u64]);
        let (_, _, dom) = crate::sim::clock::civil_from_days(day);
        for (k, (category, credit)) in plan(kind, dom, &mut rng).into_iter().enumerate() {
            let amount = match category {
                12 => rng.money(180_000, 260_000),
                13 if kind == Kind::Savings => rng.money(10_000, 50_000),
                13 => rng.money(20_000, 90_000),
                14 => 3.0,
                7 | 8 => rng.money(4_000, 16_000),
                _ => rng.money(300, 12_000),
            };
            let at = day * DAY + 8 * HOUR + rng.range(0, 12 * 60) * MINUTE;
            // The last two days' card and checking purchases are still pending.
            let pending = !credit && day >= last_day - 1 && at <= synced_at + DAY;
            out.push(make(
                owner, account, &mut rng, day, k, at, category, credit, amount, pending,
            ));
        }
    }
}

/// What an account of `kind` sees on a day of the month `dom`, as (category, credit): pay on
/// the 1st and 15th, transfers on fixed days, a few purchases, now and then a fee.
fn plan(kind: Kind, dom: i64, rng: &mut Rng) -> Vec<(usize, bool)> {
    let mut planned: Vec<(usize, bool)> = Vec::new();
    match kind {
        Kind::Checking => {
            if dom == 1 || dom == 15 {
                planned.push((12, true));
            }
            for _ in 0..rng.range(0, 2) {
                planned.push((rng.below(12) as usize, false));
            }
            if rng.chance(2) {
                planned.push((14, false));
            }
        }
        Kind::Savings => {
            if dom == 1 {
                planned.push((13, true));
            }
        }
        _ => {
            if rng.chance(60) {
                planned.push((rng.below(12) as usize, false));
            }
            if dom == 20 {
                planned.push((13, true));
            }
        }
    }
    planned
}

fn volume_transactions(
    owner: Owner,
    state: &DataState,
    account: &str,
    n: u32,
    last_day: i64,
    out: &mut Vec<Transaction>,
) {
    out.reserve(n as usize);
    let first_day = last_day - VOLUME_DAYS + 1;
    for i in 0..n as i64 {
        let day = first_day + i * VOLUME_DAYS / n as i64;
        let mut rng = Rng::derive(state.seed, &[4, i as u64]);
        let credit = i % 40 == 0;
        let category = if credit { 12 } else { rng.below(12) as usize };
        let amount = if credit {
            rng.money(180_000, 260_000)
        } else {
            rng.money(300, 12_000)
        };
        let at = day * DAY + 8 * HOUR + rng.range(0, 12 * 60) * MINUTE;
        out.push(make(
            owner, account, &mut rng, day, i as usize, at, category, credit, amount, false,
        ));
    }
}

#[allow(clippy::too_many_arguments)]
fn make(
    owner: Owner,
    account: &str,
    rng: &mut Rng,
    day: i64,
    k: usize,
    at: Millis,
    category: usize,
    credit: bool,
    amount: f64,
    pending: bool,
) -> Transaction {
    let cat = &CATEGORIES[category];
    let candidates = merchants::merchants_in(category);
    let merchant = (!candidates.is_empty()).then(|| *rng.pick(&candidates));
    let (description, original) = describe(merchant, category, rng);
    let guid = rng.guid("TRN");
    let _ = k;
    Transaction {
        account_guid: account.to_string(),
        amount: round2(amount),
        category: cat.name,
        check_number: None,
        check_number_string: None,
        created_at: timestamp(at + HOUR),
        currency_code: "USD",
        date: date(day * DAY),
        description,
        guid,
        is_bill_pay: matches!(category, 7 | 8),
        is_direct_deposit: category == 12,
        is_expense: !credit,
        is_fee: category == 14,
        is_income: cat.income,
        is_international: false,
        is_overdraft_fee: false,
        is_payroll_advance: false,
        is_subscription: merchant.is_some_and(|m| merchants::merchant_name(m) == "Netflix"),
        latitude: None,
        longitude: None,
        member_guid: owner.member_guid.to_string(),
        memo: None,
        merchant_category_code: (cat.mcc != 0).then_some(cat.mcc),
        merchant_guid: merchant.map(merchants::merchant_guid),
        merchant_location_guid: None,
        original_description: original,
        posted_at: (!pending).then(|| timestamp(at + DAY)),
        status: if pending { "PENDING" } else { "POSTED" },
        top_level_category: cat.top_level,
        transacted_at: timestamp(at),
        kind: if credit { "CREDIT" } else { "DEBIT" },
        updated_at: timestamp(at + HOUR),
        user_guid: owner.user_guid.to_string(),
        day,
    }
}

/// The (cleansed, original) descriptions of a transaction, as a bank statement prints them.
fn describe(merchant: Option<usize>, category: usize, rng: &mut Rng) -> (String, String) {
    match (merchant, category) {
        (Some(m), _) => {
            let name = merchants::merchant_name(m);
            (
                name.to_string(),
                format!("{} #{} {}", name.to_uppercase(), rng.digits(4), "LEHI UT"),
            )
        }
        (None, 13) => (
            "Transfer".to_string(),
            format!("ONLINE TRANSFER REF {}", rng.digits(8)),
        ),
        (None, _) => ("ATM Fee".to_string(), "NON-NETWORK ATM FEE".to_string()),
    }
}

/// The member's accounts, with balances consistent with its transactions: an asset account's
/// balance is its opening balance plus credits minus debits over the history; a card's is
/// what is owed. PENDING transactions move only the available balance (§4).
pub fn accounts(owner: Owner, state: &DataState, transactions: &[Transaction]) -> Vec<Account> {
    let Some(synced_at) = state.synced_at else {
        return Vec::new();
    };
    kinds(state)
        .into_iter()
        .enumerate()
        .map(|(index, kind)| account(owner, state, index, kind, transactions, synced_at))
        .collect()
}

/// The account at `index`. Its values are drawn from its own generator in a fixed order,
/// which is what makes a seed always give the same account: keep the order.
fn account(
    owner: Owner,
    state: &DataState,
    index: usize,
    kind: Kind,
    transactions: &[Transaction],
    synced_at: Millis,
) -> Account {
    let refreshed = state.balances_at.unwrap_or(synced_at).max(synced_at);
    let guid = account_guid(state, index);
    let mut rng = Rng::derive(state.seed, &[5, index as u64]);
    let flows = flows(transactions, &guid, kind);
    let (balance, available) = balances(kind, &mut rng, flows, drift(state, synced_at, refreshed));
    let credit_limit =
        (kind == Kind::CreditCard).then(|| (rng.range(20, 150) * 10_000) as f64 / 100.0 * 10.0);
    let masked = format!("XXXXXX{}", rng.digits(4));
    let loan = matches!(kind, Kind::Mortgage | Kind::Loan);
    Account {
        account_number: Some(masked),
        apr: kind.is_debt().then(|| rng.range(300, 2499) as f64 / 100.0),
        apy: (kind == Kind::Savings).then(|| rng.range(5, 450) as f64 / 100.0),
        available_balance: available,
        available_credit: credit_limit.map(|l| round2(l - balance)),
        balance,
        cash_balance: (kind == Kind::Investment).then(|| round2(rng.money(10_000, 200_000))),
        cash_surrender_value: None,
        created_at: timestamp(synced_at),
        credit_limit,
        currency_code: "USD",
        day_payment_is_due: kind.is_debt().then(|| rng.range(1, 28) as u32),
        death_benefit: None,
        guid,
        holdings_value: (kind == Kind::Investment).then_some(balance),
        institution_code: owner.institution_code.to_string(),
        insured_name: None,
        interest_rate: loan.then(|| rng.range(250, 799) as f64 / 100.0),
        is_closed: false,
        last_payment: kind.is_debt().then(|| round2(rng.money(5_000, 250_000))),
        last_payment_at: kind.is_debt().then(|| timestamp(synced_at - 12 * DAY)),
        loan_amount: loan.then(|| round2(balance * 1.4)),
        matures_on: loan.then(|| date(synced_at + 3650 * DAY)),
        member_guid: owner.member_guid.to_string(),
        minimum_balance: None,
        minimum_payment: kind.is_debt().then(|| round2((balance * 0.02).max(25.0))),
        name: format!("{} {}", owner.institution_name, kind.label()),
        original_balance: loan.then(|| round2(balance * 1.4)),
        payment_due_at: kind.is_debt().then(|| timestamp(synced_at + 18 * DAY)),
        payoff_balance: loan.then_some(balance),
        pay_out_amount: None,
        premium_amount: None,
        started_on: Some(date(synced_at - rng.range(400, 4000) * DAY)),
        subtype: match kind {
            Kind::Savings if rng.chance(30) => Some("MONEY_MARKET"),
            Kind::Loan => Some("AUTO"),
            _ => None,
        },
        total_account_value: (kind == Kind::Investment).then_some(balance),
        kind: kind.wire(),
        updated_at: timestamp(refreshed),
        user_guid: owner.user_guid.to_string(),
    }
}

/// The (posted, pending) sums of an account's transactions, signed as its balance moves:
/// a credit raises an asset account's balance and lowers what a debt account owes.
fn flows(transactions: &[Transaction], guid: &str, kind: Kind) -> (f64, f64) {
    let (mut posted, mut pending) = (0.0, 0.0);
    for t in transactions.iter().filter(|t| t.account_guid == guid) {
        let signed = if (t.kind == "CREDIT") != kind.is_debt() {
            t.amount
        } else {
            -t.amount
        };
        if t.status == "PENDING" {
            pending += signed;
        } else {
            posted += signed;
        }
    }
    (posted, pending)
}

/// A balance check moves balances a little, deterministically for each check.
fn drift(state: &DataState, synced_at: Millis, refreshed: Millis) -> f64 {
    if refreshed > synced_at {
        Rng::derive(state.seed, &[6, refreshed as u64]).money(-5_000, 5_000)
    } else {
        0.0
    }
}

/// The balance and available balance: an opening balance moved by the posted transactions
/// (and the drift of balance checks); pending ones move only the available balance.
fn balances(
    kind: Kind,
    rng: &mut Rng,
    (posted, pending): (f64, f64),
    drift: f64,
) -> (f64, Option<f64>) {
    match kind {
        Kind::Checking | Kind::Savings => {
            let b = round2(rng.money(150_000, 900_000) + posted + drift);
            (b, Some(round2(b + pending)))
        }
        Kind::CreditCard => {
            let owed = round2((rng.money(20_000, 250_000) + posted + drift).max(0.0));
            (owed, None)
        }
        Kind::Investment => (round2(rng.money(1_000_000, 9_000_000) + drift), None),
        Kind::Mortgage => (round2(rng.money(15_000_000, 45_000_000)), None),
        Kind::Loan => (round2(rng.money(500_000, 3_000_000)), None),
    }
}

const SECURITIES: &[(&str, &str, &str)] = &[
    (
        "VTI",
        "Vanguard Total Stock Market ETF",
        "EXCHANGE_TRADED_FUND",
    ),
    ("AAPL", "Apple Inc.", "EQUITY"),
    ("MSFT", "Microsoft Corporation", "EQUITY"),
    (
        "VBTLX",
        "Vanguard Total Bond Market Index Fund",
        "MUTUAL_FUND",
    ),
    (
        "BND",
        "Vanguard Total Bond Market ETF",
        "EXCHANGE_TRADED_FUND",
    ),
    (
        "VMFXX",
        "Vanguard Federal Money Market Fund",
        "MONEY_MARKET",
    ),
    (
        "T 2.5 05/31/30",
        "US Treasury Note 2.5% 2030",
        "FIXED_INCOME",
    ),
];

/// Holdings of the member's investment accounts.
pub fn holdings(owner: Owner, state: &DataState, accounts: &[Account]) -> Vec<Holding> {
    let mut out = Vec::new();
    for (index, account) in accounts.iter().enumerate() {
        if account.kind != "INVESTMENT" {
            continue;
        }
        let mut rng = Rng::derive(state.seed, &[7, index as u64]);
        let count = rng.range(3, SECURITIES.len() as i64) as usize;
        for (symbol, description, holding_type) in SECURITIES.iter().take(count) {
            let shares = rng.range(100, 50_000) as f64 / 100.0;
            let price = rng.money(1_000, 45_000);
            let purchase = round2(price * rng.range(60, 110) as f64 / 100.0);
            out.push(Holding {
                account_guid: account.guid.clone(),
                cost_basis: round2(purchase * shares),
                created_at: account.created_at.clone(),
                currency_code: "USD",
                cusip: None,
                daily_change: round2(rng.money(-300, 300)),
                description,
                guid: rng.guid("HOL"),
                holding_type,
                market_value: round2(price * shares),
                member_guid: owner.member_guid.to_string(),
                purchase_price: purchase,
                shares,
                symbol,
                updated_at: account.updated_at.clone(),
                user_guid: owner.user_guid.to_string(),
            });
        }
    }
    out
}

/// Monthly statements for the last three months of each non-investment account, once
/// statements were fetched.
pub fn statements(owner: Owner, state: &DataState, accounts: &[Account]) -> Vec<Statement> {
    let Some(fetched_at) = state.statements_at else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (index, account) in accounts.iter().enumerate() {
        if account.kind == "INVESTMENT" {
            continue;
        }
        for month in 0..3u64 {
            let mut rng = Rng::derive(state.seed, &[8, index as u64, month]);
            let guid = rng.guid("STA");
            let issued = fetched_at - (month as i64 * 30 + 5) * DAY;
            let pdf = pdf(&format!("{} statement {}", account.name, date(issued)));
            out.push(Statement {
                account_guid: account.guid.clone(),
                content_hash: hex(&Sha256::digest(&pdf)),
                created_at: timestamp(fetched_at),
                uri: format!(
                    "/users/{}/members/{}/statements/{guid}.pdf",
                    owner.user_guid, owner.member_guid
                ),
                guid,
                member_guid: owner.member_guid.to_string(),
                updated_at: timestamp(fetched_at),
                user_guid: owner.user_guid.to_string(),
                pdf,
            });
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A minimal, valid one-page PDF showing `text`.
fn pdf(text: &str) -> Vec<u8> {
    let text: String = text
        .chars()
        .filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\'))
        .collect();
    let content = format!("BT /F1 14 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A nine-digit ABA routing number with a valid check digit.
fn routing_number(rng: &mut Rng) -> String {
    let mut d: Vec<u32> = (0..8).map(|_| rng.below(10) as u32).collect();
    d[0] = 1 + rng.below(2) as u32;
    let sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5]);
    d.push((10 - sum % 10) % 10);
    d.iter().map(|x| char::from(b'0' + *x as u8)).collect()
}

/// Account and routing numbers of checking and savings accounts, once verified.
pub fn account_numbers(
    owner: Owner,
    state: &DataState,
    accounts: &[Account],
) -> Vec<AccountNumber> {
    if state.verified_at.is_none() {
        return Vec::new();
    }
    let mut routing_rng = Rng::derive(state.seed, &[9]);
    let routing = routing_number(&mut routing_rng);
    accounts
        .iter()
        .enumerate()
        .filter(|(_, a)| matches!(a.kind, "CHECKING" | "SAVINGS"))
        .map(|(index, a)| {
            let mut rng = Rng::derive(state.seed, &[10, index as u64]);
            let last4 = a
                .account_number
                .as_deref()
                .map(|m| m[m.len().saturating_sub(4)..].to_string())
                .unwrap_or_default();
            AccountNumber {
                account_guid: a.guid.clone(),
                account_number: format!("{}{last4}", rng.digits(6)),
                institution_number: None,
                member_guid: owner.member_guid.to_string(),
                routing_number: routing.clone(),
                transit_number: None,
                user_guid: owner.user_guid.to_string(),
            }
        })
        .collect()
}

const FIRST: &[&str] = &[
    "Ada",
    "Grace",
    "Alan",
    "Katherine",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
];
const LAST: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "Knuth", "Allen",
];

/// The owner of each account, once identified: one person per member.
pub fn account_owners(owner: Owner, state: &DataState, accounts: &[Account]) -> Vec<AccountOwner> {
    if state.identified_at.is_none() {
        return Vec::new();
    }
    let mut rng = Rng::derive(state.seed, &[11]);
    let (first, last) = (*rng.pick(FIRST), *rng.pick(LAST));
    let street = format!(
        "{} {} Street",
        rng.range(10, 9999),
        rng.pick(&["Elm", "Oak", "Center", "Main"])
    );
    let postal = rng.digits(5);
    accounts
        .iter()
        .enumerate()
        .map(|(index, a)| AccountOwner {
            account_guid: a.guid.clone(),
            address: street.clone(),
            city: "Lehi",
            country: "US",
            email: format!(
                "{}.{}@example.com",
                first.to_lowercase(),
                last.to_lowercase()
            ),
            guid: Rng::derive(state.seed, &[12, index as u64]).guid("ACO"),
            member_guid: owner.member_guid.to_string(),
            owner_name: format!("{first} {last}"),
            postal_code: postal.clone(),
            state: "UT",
            user_guid: owner.user_guid.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: Owner = Owner {
        user_guid: "USR-1",
        member_guid: "MBR-1",
        institution_code: "mxbank",
        institution_name: "MX Bank",
    };

    fn synced(seed: u64) -> DataState {
        DataState {
            seed,
            synced_at: Some(20_000 * DAY + 10 * HOUR),
            history_days: 90,
            ..Default::default()
        }
    }

    #[test]
    fn nothing_before_the_first_aggregation() {
        let s = DataState {
            seed: 1,
            ..Default::default()
        };
        assert!(transactions(OWNER, &s).is_empty());
        assert!(accounts(OWNER, &s, &[]).is_empty());
    }

    #[test]
    fn deterministic_and_consistent() {
        let s = synced(42);
        let t1 = transactions(OWNER, &s);
        let t2 = transactions(OWNER, &s);
        assert!(!t1.is_empty());
        assert_eq!(
            t1.iter().map(|t| &t.guid).collect::<Vec<_>>(),
            t2.iter().map(|t| &t.guid).collect::<Vec<_>>()
        );
        let a = accounts(OWNER, &s, &t1);
        assert!(a.len() >= 2);
        assert!(t1
            .iter()
            .all(|t| a.iter().any(|acc| acc.guid == t.account_guid)));
        assert!(t1.windows(2).all(|w| w[0].day >= w[1].day), "newest first");
        let days: std::collections::BTreeSet<i64> = t1.iter().map(|t| t.day).collect();
        assert!(*days.iter().next().unwrap() > 20_000 - 90);
        let mut guids: Vec<_> = t1.iter().map(|t| t.guid.clone()).collect();
        guids.sort();
        guids.dedup();
        assert_eq!(guids.len(), t1.len(), "unique transaction GUIDs");
    }

    #[test]
    fn extending_history_keeps_the_recent_transactions() {
        let s = synced(7);
        let recent = transactions(OWNER, &s);
        let extended = transactions(
            OWNER,
            &DataState {
                history_days: EXTENDED_HISTORY_DAYS,
                ..s
            },
        );
        assert!(extended.len() > recent.len() * 5);
        for t in &recent {
            assert!(extended.iter().any(|e| e.guid == t.guid));
        }
    }

    #[test]
    fn volumes_are_exact() {
        let s = DataState {
            volume: Some(10_000),
            ..synced(3)
        };
        assert_eq!(transactions(OWNER, &s).len(), 10_000);
    }

    #[test]
    fn premium_data_appears_once_fetched() {
        let mut s = synced(5);
        let t = transactions(OWNER, &s);
        let a = accounts(OWNER, &s, &t);
        assert!(account_numbers(OWNER, &s, &a).is_empty());
        s.verified_at = s.synced_at;
        s.identified_at = s.synced_at;
        s.statements_at = s.synced_at;
        let numbers = account_numbers(OWNER, &s, &a);
        assert_eq!(numbers.len(), 2, "checking and savings");
        let r: Vec<u32> = numbers[0]
            .routing_number
            .chars()
            .map(|c| c.to_digit(10).unwrap())
            .collect();
        let sum = 3 * (r[0] + r[3] + r[6]) + 7 * (r[1] + r[4] + r[7]) + (r[2] + r[5] + r[8]);
        assert_eq!(sum % 10, 0, "a valid ABA checksum");
        assert_eq!(account_owners(OWNER, &s, &a).len(), a.len());
        let st = statements(OWNER, &s, &a);
        assert!(!st.is_empty());
        assert!(st[0].pdf.starts_with(b"%PDF-1.4") && st[0].pdf.ends_with(b"%%EOF\n"));
        assert_eq!(st[0].content_hash.len(), 64);
    }
}
