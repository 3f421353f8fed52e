//! Members: create, read, update, delete; their status, challenges and credentials;
//! answers; the OAuth window; and the raw process starts (the flows follow them to an end).
//! Their list is in `lists.rs`.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::client::AtriumClient;
use crate::convert::{from_js, guid_values, optional};
use crate::decode;
use crate::execute::{method, user_method};
use atrium_core::models::{Challenge, Credential, Member, MemberStatus};
use atrium_core::options::{CreateMember, OAuthWindowOptions, UpdateMember};
use atrium_core::request::{self, Process};

method!(user create_member, "createMember", "Promise<Member>",
    (member: "CreateMemberOptions" = from_js::<CreateMember>(member, "createMember", &[]))
    => |u| request::create_member(u, member?), decode::one::<Member>);
method!(user update_member, "updateMember", "Promise<Member>",
    (member_guid, fields: "UpdateMemberOptions" = from_js::<UpdateMember>(fields, "updateMember fields", &[]))
    => |u| request::update_member(u, &member_guid?, fields?), decode::one::<Member>);
method!(user resume_member, "resumeMember", "Promise<Member>",
    (member_guid, answers: "Answer[]" = guid_values(answers, "answers"))
    => |u| request::resume_member(u, &member_guid?, answers?), decode::one::<Member>);
method!(user read_oauth_window_uri, "readOAuthWindowUri", "Promise<Member>",
    (member_guid, options?: "OAuthWindowOptions" = optional::<OAuthWindowOptions>(options, "readOAuthWindowUri options"))
    => |u| request::read_oauth_window_uri(u, &member_guid?, &options?), decode::one::<Member>);
method!(user read_member, "readMember", "Promise<Member>", (member_guid) => |u| request::read_member(u, &member_guid?), decode::one::<Member>);
method!(user delete_member, "deleteMember", "Promise<void>", (member_guid) => |u| request::delete_member(u, &member_guid?), decode::nothing);
method!(user read_member_status, "readMemberStatus", "Promise<MemberStatus>", (member_guid) => |u| request::read_member_status(u, &member_guid?), decode::one::<MemberStatus>);
method!(user list_member_challenges, "listMemberChallenges", "Promise<Challenge[]>", (member_guid) => |u| request::list_member_challenges(u, &member_guid?), decode::list::<Challenge>);
method!(user list_member_credentials, "listMemberCredentials", "Promise<Credential[]>", (member_guid) => |u| request::list_member_credentials(u, &member_guid?), decode::list::<Credential>);

// The raw process starts: each resolves to the member at once (the flows follow them to an end).
method!(user aggregate_member, "aggregateMember", "Promise<Member>", (member_guid) => |u| request::start_process(u, &member_guid?, Process::Aggregate), decode::one::<Member>);
method!(user check_member_balances, "checkMemberBalances", "Promise<Member>", (member_guid) => |u| request::start_process(u, &member_guid?, Process::Balance), decode::one::<Member>);
method!(user verify_member, "verifyMember", "Promise<Member>", (member_guid) => |u| request::start_process(u, &member_guid?, Process::Verify), decode::one::<Member>);
method!(user identify_member, "identifyMember", "Promise<Member>", (member_guid) => |u| request::start_process(u, &member_guid?, Process::Identify), decode::one::<Member>);
method!(user extend_member_history, "extendMemberHistory", "Promise<Member>", (member_guid) => |u| request::start_process(u, &member_guid?, Process::ExtendHistory), decode::one::<Member>);
method!(user fetch_member_statements, "fetchMemberStatements", "Promise<Member>", (member_guid) => |u| request::start_process(u, &member_guid?, Process::FetchStatements), decode::one::<Member>);
