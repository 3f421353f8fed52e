//! Reading data (accounts, transactions, holdings, merchants), the widget URL, cleansing, and
//! the test controls, over real HTTP.

mod common;

use std::time::Instant;

use common::{error_message, items, Sandbox, CLIENT, KEY};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const ALL_DATES: &str = "from_date=2000-01-01&to_date=2100-01-01";
const CLEANSE: &str = "/transactions/cleanse_and_categorize";

/// The user's transactions as `query` asks for them.
async fn transactions(sb: &Sandbox, user: &str, query: &str) -> Value {
    sb.get(&format!("/users/{user}/transactions?{query}")).await
}

#[tokio::test]
async fn accounts_and_transactions_agree_and_filter() {
    let sb = Sandbox::instant().await;
    let u = sb.user().await;
    let empty = sb.get(&format!("/users/{u}/accounts")).await;
    assert_eq!(
        empty["pagination"],
        json!({"current_page": 1, "per_page": 25, "total_entries": 0, "total_pages": 0})
    );
    let m = sb.member_guid(&u, "password").await;

    let accounts = sb.get(&format!("/users/{u}/accounts")).await;
    let list = items(&accounts, "accounts");
    assert!(list.len() >= 2);
    let checking = list
        .iter()
        .find(|a| a["type"] == "CHECKING")
        .expect("a checking account");
    for field in [
        "guid",
        "member_guid",
        "user_guid",
        "name",
        "balance",
        "currency_code",
        "created_at",
        "updated_at",
        "institution_code",
    ] {
        assert!(!checking[field].is_null(), "{field}");
    }
    assert!(checking["guid"].as_str().unwrap().starts_with("ACT-"));
    assert!(
        checking.get("apr").is_some() && checking.get("matures_on").is_some(),
        "every model field is present"
    );
    let a = checking["guid"].as_str().unwrap();
    assert_eq!(
        sb.get(&format!("/users/{u}/accounts/{a}")).await["account"],
        *checking
    );
    assert_eq!(
        sb.get(&format!("/users/{u}/members/{m}/accounts/{a}"))
            .await["account"],
        *checking
    );

    let txns = sb
        .get(&format!(
            "/users/{u}/accounts/{a}/transactions?records_per_page=1000"
        ))
        .await;
    let t = items(&txns, "transactions");
    assert!(!t.is_empty());
    assert!(t.iter().all(|x| x["account_guid"] == a));
    let first = &t[0];
    assert!(first["guid"].as_str().unwrap().starts_with("TRN-"));
    assert_eq!(first["date"].as_str().unwrap().len(), 10, "YYYY-MM-DD");
    assert!(first["transacted_at"].as_str().unwrap().ends_with('Z'));
    assert!(["POSTED", "PENDING"].contains(&first["status"].as_str().unwrap()));
    assert!(["CREDIT", "DEBIT"].contains(&first["type"].as_str().unwrap()));
    assert!(t.iter().any(|x| x["merchant_guid"]
        .as_str()
        .is_some_and(|g| g.starts_with("MCH-"))));
    assert!(
        t.iter()
            .any(|x| !x["category"].as_str().unwrap().is_empty()
                && !x["top_level_category"].is_null())
    );
    assert!(
        t.windows(2)
            .all(|w| w[0]["date"].as_str() >= w[1]["date"].as_str()),
        "newest first"
    );

    // The balance is the opening balance plus the posted history: credits raise it.
    let net = |status: &str| -> f64 {
        let signed = |x: &Value| {
            let amount = x["amount"].as_f64().unwrap();
            if x["type"] == "CREDIT" {
                amount
            } else {
                -amount
            }
        };
        t.iter().filter(|x| x["status"] == status).map(signed).sum()
    };
    let (posted, pending) = (net("POSTED"), net("PENDING"));
    let (bal, avail) = (
        checking["balance"].as_f64().unwrap(),
        checking["available_balance"].as_f64().unwrap(),
    );
    assert!(
        (avail - (bal + pending)).abs() < 0.011,
        "pending moves only the available balance"
    );
    assert!(posted.is_finite());

    let one = first["guid"].as_str().unwrap();
    assert_eq!(
        sb.get(&format!("/users/{u}/transactions/{one}")).await["transaction"],
        *first
    );

    // Same member, same data.
    let again = sb
        .get(&format!(
            "/users/{u}/accounts/{a}/transactions?records_per_page=1000"
        ))
        .await;
    assert_eq!(again, txns);

    let user_all = transactions(&sb, &u, &format!("{ALL_DATES}&records_per_page=1")).await;
    let member_all = sb
        .get(&format!(
            "/users/{u}/members/{m}/transactions?{ALL_DATES}&records_per_page=1"
        ))
        .await;
    assert_eq!(
        user_all["pagination"]["total_entries"],
        member_all["pagination"]["total_entries"]
    );

    // Date filters: a narrow window, a bad date, a reversed range.
    let day = first["date"].as_str().unwrap();
    let narrow = transactions(
        &sb,
        &u,
        &format!("from_date={day}&to_date={day}&records_per_page=1000"),
    )
    .await;
    assert!(items(&narrow, "transactions")
        .iter()
        .all(|x| x["date"] == day));
    let bad = [
        "from_date=2020-13-01",
        "to_date=yesterday",
        "from_date=2020-01-01T00:00:00Z",
        "from_date=2020-02-01&to_date=2020-01-01",
    ];
    let all = format!("/users/{u}/transactions");
    sb.refuses_queries(&all, &bad).await;
    let future = transactions(&sb, &u, "from_date=2099-01-01&to_date=2099-12-31").await;
    assert_eq!(future["pagination"]["total_entries"], 0);
}

#[tokio::test]
async fn pagination_edges() {
    let sb = Sandbox::instant().await;
    let u = sb.user().await;
    sb.member(&u, "password").await;
    let total = transactions(&sb, &u, "records_per_page=1").await["pagination"]["total_entries"]
        .as_u64()
        .unwrap();
    assert!(total > 10);
    let per = 7u64;
    let pages = total.div_ceil(per);
    let last = transactions(&sb, &u, &format!("page={pages}&records_per_page={per}")).await;
    assert_eq!(
        items(&last, "transactions").len() as u64,
        total - (pages - 1) * per
    );
    assert_eq!(last["pagination"]["total_pages"], pages);
    let beyond = transactions(
        &sb,
        &u,
        &format!("page={}&records_per_page={per}", pages + 1),
    )
    .await;
    assert!(items(&beyond, "transactions").is_empty());
    let max = transactions(&sb, &u, "records_per_page=1000").await;
    assert_eq!(max["pagination"]["per_page"], 1000);
    let bad = [
        "records_per_page=1001",
        "records_per_page=0",
        "page=0",
        "page=-2",
        "page=two",
    ];
    let all = format!("/users/{u}/transactions");
    sb.refuses_queries(&all, &bad).await;
    // All pages together are every transaction once.
    let mut seen = std::collections::HashSet::new();
    for page in 1..=pages {
        let p = transactions(&sb, &u, &format!("page={page}&records_per_page={per}")).await;
        for t in items(&p, "transactions") {
            assert!(
                seen.insert(t["guid"].as_str().unwrap().to_string()),
                "no transaction twice"
            );
        }
    }
    assert_eq!(seen.len() as u64, total);
}

#[tokio::test]
async fn the_large_volume_logins_have_exact_counts() {
    let sb = Sandbox::instant().await;
    let (u, m) = sb.user_with_member("BIG_10K").await;
    let p = sb
        .get(&format!(
            "/users/{u}/members/{m}/transactions?{ALL_DATES}&records_per_page=1000&page=10"
        ))
        .await;
    assert_eq!(p["pagination"]["total_entries"], 10_000);
    assert_eq!(items(&p, "transactions").len(), 1000);
    let m = sb.member(&sb.user().await, "BIG_25K").await;
    let u2 = m["user_guid"].as_str().unwrap();
    let p = transactions(&sb, u2, &format!("{ALL_DATES}&records_per_page=1")).await;
    assert_eq!(p["pagination"]["total_entries"], 25_000);
}

#[tokio::test]
async fn holdings_of_investment_accounts() {
    let sb = Sandbox::instant().await;
    // About half of all members hold an investment account: try members (a fresh user each,
    // since one user may not repeat a login) until one does; 30 misses in a row is 1 in 10^9.
    let mut found = None;
    for _ in 0..30 {
        let (u, m) = sb.user_with_member("password").await;
        let h = sb.get(&format!("/users/{u}/members/{m}/holdings")).await;
        if !items(&h, "holdings").is_empty() {
            found = Some((u, m, h));
            break;
        }
    }
    let (u, _m, h) = found.expect("some member holds investments");
    let first = &items(&h, "holdings")[0];
    assert!(first["guid"].as_str().unwrap().starts_with("HOL-"));
    let holding_types = [
        "ANNUITY",
        "CASH",
        "EQUITY",
        "EXCHANGE_TRADED_FUND",
        "FIXED_INCOME",
        "HEDGE_FUND",
        "MONEY_MARKET",
        "MUTUAL_FUND",
        "OPTIONS",
        "UNIT_INVESTMENT_TRUST",
        "UNKNOWN_TYPE",
    ];
    assert!(holding_types.contains(&first["holding_type"].as_str().unwrap()));
    let g = first["guid"].as_str().unwrap();
    assert_eq!(
        sb.get(&format!("/users/{u}/holdings/{g}")).await["holding"],
        *first
    );
    let a = first["account_guid"].as_str().unwrap();
    let by_account = sb.get(&format!("/users/{u}/accounts/{a}/holdings")).await;
    assert!(items(&by_account, "holdings")
        .iter()
        .all(|x| x["account_guid"] == a));
    assert!(!items(&sb.get(&format!("/users/{u}/holdings")).await, "holdings").is_empty());
}

#[tokio::test]
async fn merchants_and_their_locations() {
    let sb = Sandbox::start().await;
    let list = sb.get("/merchants?records_per_page=5").await;
    assert_eq!(items(&list, "merchants").len(), 5);
    let m = &items(&list, "merchants")[0];
    let g = m["guid"].as_str().unwrap();
    assert!(g.starts_with("MCH-"));
    assert_eq!(
        m["logo_url"],
        format!("{}/logos/merchants/{g}.svg", sb.base)
    );
    assert_eq!(sb.get(&format!("/merchants/{g}")).await["merchant"], *m);
    let locations = sb.get(&format!("/merchants/{g}/merchant_locations")).await;
    let l = &items(&locations, "merchant_locations")[0];
    assert!(l["guid"].as_str().unwrap().starts_with("MCL-"));
    assert_eq!(l["merchant_guid"], g);
    let lg = l["guid"].as_str().unwrap();
    assert_eq!(
        sb.get(&format!("/merchants/{g}/merchant_locations/{lg}"))
            .await["merchant_location"],
        *l
    );
    let (s, _) = sb.call(Method::GET, "/merchants/MCH-nope", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn connect_widget_url() {
    let sb = Sandbox::start().await;
    let u = sb.user().await;
    let path = format!("/users/{u}/connect_widget_url");
    let v = sb.post(&path, json!({})).await;
    assert_eq!(v["user"]["guid"], u.as_str());
    assert!(v["user"]["connect_widget_url"]
        .as_str()
        .unwrap()
        .starts_with("https://int-widgets.moneydesktop.com/md/connect/"));
    let options = json!({"color_scheme": "dark", "mode": "verification", "current_institution_code": "mxbank"});
    let again = sb.post(&path, options).await;
    assert_ne!(
        again["user"]["connect_widget_url"], v["user"]["connect_widget_url"],
        "single use: a new URL each time"
    );
    for bad in [
        json!({"color_scheme": "purple"}),
        json!({"mode": 3}),
        json!({"current_member_guid": "MBR-nope"}),
    ] {
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        sb.expect(Method::POST, &path, Some(bad), unprocessable)
            .await;
    }
}

#[tokio::test]
async fn cleanse_and_categorize() {
    let sb = Sandbox::start().await;
    let v = sb
        .post(CLEANSE, json!({"transactions": [
            {"identifier": "a", "description": "STARBUCKS #1234 SEATTLE WA", "amount": 4.5, "type": "DEBIT"},
            {"identifier": "b", "description": "ACME PAYROLL DEP", "amount": 2000, "type": "CREDIT"},
            {"identifier": "c", "description": "CASH WITHDRAWAL", "merchant_category_code": 6011},
        ]}))
        .await;
    let t = items(&v, "transactions");
    assert_eq!(t.len(), 3);
    assert_eq!(
        (
            t[0]["identifier"].as_str(),
            t[0]["description"].as_str(),
            t[0]["category"].as_str()
        ),
        (Some("a"), Some("Starbucks"), Some("Coffee Shops"))
    );
    assert!(t[0]["merchant_guid"].as_str().unwrap().starts_with("MCH-"));
    assert_eq!(t[0]["original_description"], "STARBUCKS #1234 SEATTLE WA");
    assert_eq!(t[1]["is_income"], true);
    assert_eq!(t[2]["category"], "ATM Fee");
    let too_many: Vec<Value> = (0..101)
        .map(|i| json!({"identifier": i.to_string(), "description": "x"}))
        .collect();
    let too_many = Some(json!({"transactions": too_many}));
    sb.expect(Method::POST, CLEANSE, too_many, StatusCode::BAD_REQUEST)
        .await;
    let unnamed = Some(json!({"transactions": [{"description": "x"}]}));
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let v = sb
        .expect(Method::POST, CLEANSE, unnamed, unprocessable)
        .await;
    assert!(error_message(&v).contains("identifier"));
}

#[tokio::test]
async fn faults_are_injected_then_spent() {
    let sb = Sandbox::start().await;
    const FAULTS: &str = "/_sandbox/faults";
    let unavailable =
        json!({"path_contains": "/institutions", "times": 1, "status": 503, "retry_after": 7});
    assert_eq!(sb.post(FAULTS, unavailable).await["fault"]["id"], 1);
    let r = sb.send(Method::GET, "/institutions").await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["retry-after"], "7");
    let r = sb.send(Method::GET, "/institutions").await;
    assert_eq!(r.status(), StatusCode::OK, "spent after one use");

    let slow = json!({"method": "GET", "path_contains": "/merchants", "delay_ms": 300, "times": 1});
    sb.post(FAULTS, slow).await;
    let started = Instant::now();
    let r = sb.send(Method::GET, "/merchants").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        started.elapsed().as_millis() >= 300,
        "delayed at least as asked"
    );

    sb.post(FAULTS, json!({"path_contains": "/users", "drop": true}))
        .await;
    let broken = async { sb.req(Method::GET, "/users").send().await?.bytes().await };
    assert!(broken.await.is_err(), "the connection breaks");
    assert_eq!(
        items(&sb.get(FAULTS).await, "faults").len(),
        1,
        "unlimited until cleared"
    );
    sb.expect(Method::DELETE, FAULTS, None, StatusCode::NO_CONTENT)
        .await;
    assert_eq!(sb.user_count().await, 0);

    // Matched by its body, acted on, then unanswered: the user exists, nobody was told.
    let taken = json!({"method": "POST", "body_contains": "\"taken-then-dropped\"", "drop_after": true, "times": 1});
    sb.post(FAULTS, taken).await;
    let other = json!({"user": {"identifier": "another"}});
    sb.post("/users", other).await;
    let mine = json!({"user": {"identifier": "taken-then-dropped"}});
    let broken = async {
        let r = sb.req(Method::POST, "/users");
        let r = r.header("Content-Type", "application/json");
        r.body(mine.to_string()).send().await?.bytes().await
    };
    assert!(broken.await.is_err(), "the connection breaks");
    assert_eq!(sb.user_count().await, 2, "and yet the user was made");
    sb.expect(Method::DELETE, FAULTS, None, StatusCode::NO_CONTENT)
        .await;

    for bad in [
        json!({"times": 0}),
        json!({"delay_ms": 600000}),
        json!({"status": 42}),
        json!({"sometimes": true}),
    ] {
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        sb.expect(Method::POST, FAULTS, Some(bad), unprocessable)
            .await;
    }
}

#[tokio::test]
async fn the_clock_and_reset() {
    let sb = Sandbox::start().await;
    const CLOCK: &str = "/_sandbox/clock";
    let before = sb.get(CLOCK).await;
    assert_eq!(before["transition_scale"], 1.0);
    assert_eq!(before["transition_jitter"], false);
    let jittered = sb.post(CLOCK, json!({"transition_jitter": true})).await;
    assert_eq!(jittered["transition_jitter"], true);
    let after = sb.post(CLOCK, json!({"advance_seconds": 86400 * 2})).await;
    assert!(after["now"].as_str() > before["now"].as_str());
    let backwards = Some(json!({"transition_scale": -1}));
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    sb.expect(Method::POST, CLOCK, backwards, unprocessable)
        .await;
    let (s, _) = sb.call(Method::GET, CLOCK, None).await;
    assert_eq!(s, StatusCode::OK);
    let unauthenticated = sb.fetch(&format!("{}{CLOCK}", sb.base)).await;
    assert_eq!(
        unauthenticated.status(),
        StatusCode::UNAUTHORIZED,
        "controls need the key pair too"
    );

    sb.user().await;
    let (s, _) = sb.call(Method::POST, "/_sandbox/reset", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(sb.user_count().await, 0);
    let reset = sb.get(CLOCK).await;
    assert_eq!(
        reset["transition_jitter"], false,
        "reset turns the jitter off"
    );
    assert!(reset["now"].as_str() < after["now"].as_str());
}

/// Every logo the sandbox hands out is its own, served without the key pair (an `<img>` sends
/// none), so that a page on the sandbox loads nothing from beyond this machine.
#[tokio::test]
async fn logos_are_served_by_the_sandbox_itself() {
    let sb = Sandbox::start().await;
    let list = sb.get("/institutions?records_per_page=100").await;
    let merchants = sb.get("/merchants?records_per_page=100").await;
    let mut urls: Vec<String> = Vec::new();
    for i in items(&list, "institutions") {
        for field in ["small_logo_url", "medium_logo_url"] {
            urls.push(i[field].as_str().unwrap().to_string());
        }
    }
    urls.extend(
        items(&merchants, "merchants")
            .iter()
            .map(|m| m["logo_url"].as_str().unwrap().to_string()),
    );
    assert_eq!(urls.len(), 15 * 2 + items(&merchants, "merchants").len());
    for url in &urls {
        assert!(url.starts_with(&format!("{}/logos/", sb.base)), "{url}");
        let r = sb.fetch(url).await;
        assert_eq!(r.status(), 200, "{url}");
        assert_eq!(r.headers()["content-type"], "image/svg+xml", "{url}");
        assert!(r.text().await.unwrap().starts_with("<svg "), "{url}");
    }
    let missing = format!("{}/logos/100x100/nope.svg", sb.base);
    assert_eq!(sb.fetch(&missing).await.status(), 404);
}

#[tokio::test]
async fn a_configured_logo_url_is_the_base_of_every_logo() {
    let config = atrium_sandbox::Config {
        logo_url: Some("http://relay.test/sandbox/logos/".into()),
        ..atrium_sandbox::Config::new(KEY, CLIENT)
    };
    let sb = Sandbox::with(config).await;
    let mx = sb.get("/institutions/mxbank").await;
    assert_eq!(
        mx["institution"]["small_logo_url"],
        "http://relay.test/sandbox/logos/50x50/mxbank.svg"
    );
    assert_eq!(
        mx["institution"]["medium_logo_url"],
        "http://relay.test/sandbox/logos/100x100/mxbank.svg"
    );
}
