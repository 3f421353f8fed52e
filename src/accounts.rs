//! A user's money: accounts, their numbers and owners, transactions, holdings, statements
//! (their lists are in `lists.rs`).

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::AtriumClient;
use crate::convert::required;
use crate::decode;
use crate::execute::{method, user_method};
use atrium_core::models::*;
use atrium_core::options::ListAccountNumbers;
use atrium_core::request;

method!(user list_account_numbers, "listAccountNumbers", "Promise<AccountNumber[]>",
    (options: "ListAccountNumbersOptions" = required::<ListAccountNumbers>(Some(options), "listAccountNumbers options"))
    => |u| request::list_account_numbers(u, &options?), decode::list::<AccountNumber>);
method!(user list_account_owners, "listAccountOwners", "Promise<AccountOwner[]>", (member_guid)
    => |u| request::list_account_owners(u, &member_guid?), decode::list::<AccountOwner>);
method!(user read_account, "readAccount", "Promise<Account>", (account_guid)
    => |u| request::read_account(u, &account_guid?), decode::one::<Account>);
method!(user read_transaction, "readTransaction", "Promise<Transaction>", (transaction_guid)
    => |u| request::read_transaction(u, &transaction_guid?), decode::one::<Transaction>);
method!(user read_holding, "readHolding", "Promise<Holding>", (holding_guid)
    => |u| request::read_holding(u, &holding_guid?), decode::one::<Holding>);
method!(user read_statement, "readStatement", "Promise<Statement>", (member_guid, statement_guid)
    => |u| request::read_statement(u, &member_guid?, &statement_guid?, false), decode::one::<Statement>);
method!(
    // A plain string: wasm-bindgen would print a doc comment's raw-string quotes.
    #[doc = "The statement's PDF, as bytes."]
    user download_statement_pdf, "downloadStatementPdf", "Promise<Uint8Array<ArrayBuffer>>", (member_guid, statement_guid)
    => |u| request::read_statement(u, &member_guid?, &statement_guid?, true), decode::bytes);
