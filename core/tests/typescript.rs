//! The TypeScript declarations of the models, options and enumerations, generated from the
//! Rust types: the committed `core/ts/generated.d.ts` (part of the package's `.d.ts`) must be
//! exactly what they generate, so the two cannot part. `UPDATE_TYPES=1` rewrites it.
#![cfg(feature = "ts")]

use atrium_core::error::{ErrorCode, RelayCode};
use atrium_core::flow::{FlowKind, FlowSnapshot};
use atrium_core::models::*;
use atrium_core::oauth::OAuthReason;
use atrium_core::options::*;
use atrium_core::pagination::Pagination;
use atrium_core::request::Process;
use atrium_core::status::{ConnectionStatus, Group, Outcome, Progress};
use ts_rs::{Config, TS};

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/ts/generated.d.ts");

/// Splits at `sep` where no bracket or comment is open.
fn split_top(text: &str, sep: &str) -> Vec<String> {
    let (bytes, sep) = (text.as_bytes(), sep.as_bytes());
    let (mut depth, mut comment, mut start, mut out) = (0i32, false, 0, Vec::new());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if comment {
            comment = !rest.starts_with(b"*/");
        } else if rest.starts_with(b"/*") {
            comment = true;
        } else if depth == 0 && rest.starts_with(sep) {
            out.push(text[start..i].to_string());
            start = i + sep.len();
            i = start;
            continue;
        } else {
            match bytes[i] {
                b'{' | b'<' | b'(' | b'[' => depth += 1,
                b'}' | b'>' | b')' | b']' => depth -= 1,
                _ => {}
            }
        }
        i += 1;
    }
    out.push(text[start..].to_string());
    out
}

/// `type X = { a: A, /** doc */ b: B, };` as one field a line, each doc above its field.
fn pretty(decl: &str) -> String {
    let decl = format!("export {}", decl.trim());
    let Some((head, body)) = decl.split_once(" = { ") else {
        return decl;
    };
    let Some(body) = body.strip_suffix(" };").or_else(|| body.strip_suffix("};")) else {
        return decl;
    };
    if split_top(body, "} | {").len() > 1 {
        return format!("{decl}\n");
    }
    let mut out = format!("{head} = {{\n");
    for field in split_top(body, ", ") {
        let field = field.trim().trim_end_matches(',');
        if field.is_empty() {
            continue;
        }
        for line in field.lines() {
            let line = line.trim();
            let pad = if line.starts_with('*') { "   " } else { "  " };
            out.push_str(pad);
            out.push_str(line);
            out.push('\n');
        }
        if !out.ends_with(";\n") {
            out.pop();
            out.push_str(";\n");
        }
    }
    out.push_str("};\n");
    out
}

/// A string-literal union of an enumeration's wire names; `open` adds values of tomorrow.
fn union(name: &str, doc: &str, names: &[&str], open: bool) -> String {
    let mut parts: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    if open {
        parts.push("(string & {})".into());
    }
    format!(
        "/** {doc} */\nexport type {name} =\n  | {};\n",
        parts.join("\n  | ")
    )
}

fn generated() -> String {
    let cfg = Config::new().with_large_int("number");
    let mut out = String::from(
        "// Generated from atrium-core's Rust types by `core/tests/typescript.rs`; do not edit.\n\
         // Models: every field but the key is present, null where Atrium leaves it out.\n\n",
    );
    let statuses = ConnectionStatus::ALL.iter().map(ConnectionStatus::as_str);
    let groups = [
        Group::Aggregatable,
        Group::NeedsCredentials,
        Group::Transitory,
        Group::Never,
        Group::UserAction,
    ];
    let progress = [Progress::Running, Progress::WaitingForUser, Progress::Ended];
    let kinds: Vec<FlowKind> = [
        FlowKind::Connect,
        FlowKind::UpdateCredentials,
        FlowKind::Reauthorize,
    ]
    .into_iter()
    .chain(Process::ALL.iter().map(|p| FlowKind::Process(*p)))
    .collect();
    // (name, doc, members, open to later values): a table, one line each.
    #[rustfmt::skip]
    let unions: [(&str, &str, Vec<&str>, bool); 9] = [
        ("ConnectionStatus", "A connection status (§5); other strings may appear as Atrium adds statuses.", statuses.collect(), true),
        ("AtriumErrorCode", "The machine-readable `code` of an `AtriumError`.", ErrorCode::ALL.iter().map(|c| c.as_str()).collect(), false),
        ("RelayErrorCode", "The relay's own `code` of an answer it gave itself; others may appear.", RelayCode::ALL.iter().map(|c| c.as_str()).collect(), true),
        ("FlowOutcome", "How a flow ended.", Outcome::ALL.iter().map(|o| o.as_str()).collect(), false),
        ("StatusGroup", "What to do with a member in a status before aggregating (the guide's groups).", groups.iter().map(|g| g.as_str()).collect(), false),
        ("StatusProgress", "Where a run stands in a status.", progress.iter().map(|p| p.as_str()).collect(), false),
        ("ProcessName", "An aggregation-type process, by its endpoint's name.", Process::ALL.iter().map(|p| p.segment()).collect(), false),
        ("FlowKind", "What a flow was started as: `connect`, `update_credentials`, `reauthorize`, or a process.", kinds.iter().map(|k| k.as_str()).collect(), false),
        ("OAuthReason", "Why an OAuth window ended without a connection (MX's `error_reason`, or `CLOSED`); others may appear.", OAuthReason::KNOWN.iter().map(|r| r.as_str()).collect(), true),
    ];
    for (name, doc, members, open) in unions {
        out += &union(name, doc, &members, open);
    }
    out.push('\n');
    let decls = [
        Pagination::decl(&cfg),
        User::decl(&cfg),
        Institution::decl(&cfg),
        CredentialOption::decl(&cfg),
        ImageOption::decl(&cfg),
        Credential::decl(&cfg),
        Challenge::decl(&cfg),
        Member::decl(&cfg),
        MemberStatus::decl(&cfg),
        Account::decl(&cfg),
        Transaction::decl(&cfg),
        Holding::decl(&cfg),
        Statement::decl(&cfg),
        AccountNumber::decl(&cfg),
        AccountOwner::decl(&cfg),
        Merchant::decl(&cfg),
        MerchantLocation::decl(&cfg),
        ConnectWidget::decl(&cfg),
        CleansedTransaction::decl(&cfg),
        ReferralSource::decl(&cfg),
        ColorScheme::decl(&cfg),
        WidgetMode::decl(&cfg),
        TransactionType::decl(&cfg),
        Paging::decl(&cfg),
        RetryOptions::decl(&cfg),
        ListInstitutionsOptions::decl(&cfg),
        GuidValue::decl(&cfg),
        CreateMember::decl(&cfg),
        UpdateMember::decl(&cfg),
        UpdateUser::decl(&cfg),
        ListAccounts::decl(&cfg),
        ListAccountNumbers::decl(&cfg),
        ListByOwner::decl(&cfg),
        ListTransactions::decl(&cfg),
        ListStatements::decl(&cfg),
        ListMerchantLocations::decl(&cfg),
        OAuthWindowOptions::decl(&cfg),
        ConnectWidgetOptions::decl(&cfg),
        CleanseItem::decl(&cfg),
        FlowInput::decl(&cfg),
        FlowSnapshot::decl(&cfg),
    ];
    for decl in decls {
        out += &pretty(&decl);
        out.push('\n');
    }
    out
}

#[test]
fn the_typescript_declarations_are_the_rust_types() {
    let now = generated();
    if std::env::var_os("UPDATE_TYPES").is_some() {
        std::fs::write(PATH, &now).expect("writable");
        return;
    }
    let committed = std::fs::read_to_string(PATH).unwrap_or_default();
    if committed != now {
        let first = committed
            .lines()
            .zip(now.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(now.lines().count()));
        panic!(
            "core/ts/generated.d.ts is not what the Rust types generate (first difference at line {}):\n  committed: {:?}\n  generated: {:?}\nRun `UPDATE_TYPES=1 cargo test -p atrium-core --features ts --test typescript` and commit the file.",
            first + 1,
            committed.lines().nth(first).unwrap_or(""),
            now.lines().nth(first).unwrap_or("")
        );
    }
}
