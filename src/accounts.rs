//! A user's money: accounts, their numbers and owners, transactions, holdings, statements.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::AtriumClient;
use crate::convert::{guid, required};
use crate::decode;
use crate::execute::{guid_method, user_method};
use crate::lists::ListMethod;
use atrium_core::ids::{MemberGuid, StatementGuid};
use atrium_core::models::*;
use atrium_core::options::ListAccountNumbers;
use atrium_core::request;

#[wasm_bindgen]
impl AtriumClient {
    #[wasm_bindgen(js_name = listAccounts, unchecked_return_type = "Promise<Page<Account>>")]
    pub fn list_accounts(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListAccountsOptions")] options: Option<
            JsValue,
        >,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        self.page_of(ListMethod::Accounts, options, call)
    }

    #[wasm_bindgen(js_name = listAccountNumbers, unchecked_return_type = "Promise<AccountNumber[]>")]
    pub fn list_account_numbers(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListAccountNumbersOptions")] options: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let o = required::<ListAccountNumbers>(Some(options), "listAccountNumbers options");
        user_method!(
            self,
            call,
            |u| request::list_account_numbers(u, &o?),
            decode::list::<AccountNumber>
        )
    }

    #[wasm_bindgen(js_name = listTransactions, unchecked_return_type = "Promise<Page<Transaction>>")]
    pub fn list_transactions(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListTransactionsOptions")] options: Option<
            JsValue,
        >,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        self.page_of(ListMethod::Transactions, options, call)
    }

    #[wasm_bindgen(js_name = listHoldings, unchecked_return_type = "Promise<Page<Holding>>")]
    pub fn list_holdings(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ListHoldingsOptions")] options: Option<
            JsValue,
        >,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        self.page_of(ListMethod::Holdings, options, call)
    }

    #[wasm_bindgen(js_name = listStatements, unchecked_return_type = "Promise<Page<Statement>>")]
    pub fn list_statements(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ListStatementsOptions")] options: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        self.page_of(ListMethod::Statements, Some(options), call)
    }

    #[wasm_bindgen(js_name = readStatement, unchecked_return_type = "Promise<Statement>")]
    pub fn read_statement(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] statement_guid: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let m: Result<MemberGuid, _> = guid(&member_guid, "member_guid");
        let s: Result<StatementGuid, _> = guid(&statement_guid, "statement_guid");
        user_method!(
            self,
            call,
            |u| request::read_statement(u, &m?, &s?, false),
            decode::one::<Statement>
        )
    }

    /// The statement's PDF, as bytes.
    #[wasm_bindgen(js_name = downloadStatementPdf, unchecked_return_type = "Promise<Uint8Array<ArrayBuffer>>")]
    pub fn download_statement_pdf(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] statement_guid: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let m: Result<MemberGuid, _> = guid(&member_guid, "member_guid");
        let s: Result<StatementGuid, _> = guid(&statement_guid, "statement_guid");
        user_method!(
            self,
            call,
            |u| request::read_statement(u, &m?, &s?, true),
            decode::bytes
        )
    }
}

guid_method!(list_account_owners, "listAccountOwners", "Promise<AccountOwner[]>", member_guid => |u| request::list_account_owners(u, &member_guid?), decode::list::<AccountOwner>);
guid_method!(read_account, "readAccount", "Promise<Account>", account_guid => |u| request::read_account(u, &account_guid?), decode::one::<Account>);
guid_method!(read_transaction, "readTransaction", "Promise<Transaction>", transaction_guid => |u| request::read_transaction(u, &transaction_guid?), decode::one::<Transaction>);
guid_method!(read_holding, "readHolding", "Promise<Holding>", holding_guid => |u| request::read_holding(u, &holding_guid?), decode::one::<Holding>);
