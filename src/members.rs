//! Members: create, list, read, update, delete; their status, challenges and credentials;
//! answers; the OAuth window; and the raw process starts (the flows follow them to an end).

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::AtriumClient;
use crate::convert::{from_js, guid, guid_values, optional};
use crate::decode;
use crate::execute::{guid_method, user_method};
use atrium_core::ids::MemberGuid;
use atrium_core::models::{Challenge, Credential, Member, MemberStatus};
use atrium_core::options::{CreateMember, OAuthWindowOptions, Paging, UpdateMember};
use atrium_core::request::{self, Process};

#[wasm_bindgen]
impl AtriumClient {
    #[wasm_bindgen(js_name = createMember, unchecked_return_type = "Promise<Member>")]
    pub fn create_member(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateMemberOptions")] member: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let member = from_js::<CreateMember>(member, "createMember", &[]);
        user_method!(
            self,
            call,
            |u| request::create_member(u, member?),
            decode::one::<Member>
        )
    }

    #[wasm_bindgen(js_name = listMembers, unchecked_return_type = "Promise<Page<Member>>")]
    pub fn list_members(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PagingOptions")] options: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let o = optional::<Paging>(options, "listMembers options");
        user_method!(
            self,
            call,
            |u| request::list_members(u, o?),
            decode::page::<Member>
        )
    }

    #[wasm_bindgen(js_name = updateMember, unchecked_return_type = "Promise<Member>")]
    pub fn update_member(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "UpdateMemberOptions")] fields: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let m = guid::<_>(&member_guid, "member_guid");
        let fields = from_js::<UpdateMember>(fields, "updateMember fields", &[]);
        user_method!(
            self,
            call,
            |u| request::update_member(u, &m?, fields?),
            decode::one::<Member>
        )
    }

    #[wasm_bindgen(js_name = resumeMember, unchecked_return_type = "Promise<Member>")]
    pub fn resume_member(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Answer[]")] answers: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let m: Result<MemberGuid, _> = guid(&member_guid, "member_guid");
        let answers = guid_values(answers, "answers");
        user_method!(
            self,
            call,
            |u| request::resume_member(u, &m?, answers?),
            decode::one::<Member>
        )
    }

    #[wasm_bindgen(js_name = readOAuthWindowUri, unchecked_return_type = "Promise<Member>")]
    pub fn read_oauth_window_uri(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] member_guid: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "OAuthWindowOptions")] options: Option<
            JsValue,
        >,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] call: Option<JsValue>,
    ) -> Promise {
        let m: Result<MemberGuid, _> = guid(&member_guid, "member_guid");
        let o = optional::<OAuthWindowOptions>(options, "readOAuthWindowUri options");
        user_method!(
            self,
            call,
            |u| request::read_oauth_window_uri(u, &m?, &o?),
            decode::one::<Member>
        )
    }
}

guid_method!(read_member, "readMember", "Promise<Member>", member_guid => |u| request::read_member(u, &member_guid?), decode::one::<Member>);
guid_method!(delete_member, "deleteMember", "Promise<void>", member_guid => |u| request::delete_member(u, &member_guid?), decode::nothing);
guid_method!(read_member_status, "readMemberStatus", "Promise<MemberStatus>", member_guid => |u| request::read_member_status(u, &member_guid?), decode::one::<MemberStatus>);
guid_method!(list_member_challenges, "listMemberChallenges", "Promise<Challenge[]>", member_guid => |u| request::list_member_challenges(u, &member_guid?), decode::list::<Challenge>);
guid_method!(list_member_credentials, "listMemberCredentials", "Promise<Credential[]>", member_guid => |u| request::list_member_credentials(u, &member_guid?), decode::list::<Credential>);

// The raw process starts: each resolves to the member at once (the flows follow them to an end).
guid_method!(aggregate_member, "aggregateMember", "Promise<Member>", member_guid => |u| request::start_process(u, &member_guid?, Process::Aggregate), decode::one::<Member>);
guid_method!(check_member_balances, "checkMemberBalances", "Promise<Member>", member_guid => |u| request::start_process(u, &member_guid?, Process::Balance), decode::one::<Member>);
guid_method!(verify_member, "verifyMember", "Promise<Member>", member_guid => |u| request::start_process(u, &member_guid?, Process::Verify), decode::one::<Member>);
guid_method!(identify_member, "identifyMember", "Promise<Member>", member_guid => |u| request::start_process(u, &member_guid?, Process::Identify), decode::one::<Member>);
guid_method!(extend_member_history, "extendMemberHistory", "Promise<Member>", member_guid => |u| request::start_process(u, &member_guid?, Process::ExtendHistory), decode::one::<Member>);
guid_method!(fetch_member_statements, "fetchMemberStatements", "Promise<Member>", member_guid => |u| request::start_process(u, &member_guid?, Process::FetchStatements), decode::one::<Member>);
