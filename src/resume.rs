//! Resuming flows for JavaScript: from a snapshot, from a member's GUID, from the page the
//! OAuth window redirected back to, or from the snapshot a flow kept under its `persistKey`;
//! and whether a run's end was reported already.

use wasm_bindgen::prelude::*;

use crate::client::AtriumClient;
use crate::convert::{from_js, get, id};
use crate::keep::end_reported;
use crate::flows::{flow_options, seed, Face, MemberFlow};
use crate::js::storage_get;
use crate::rejection::Rejection;
use atrium_core::error::AtriumError;
use atrium_core::flow::{Flow, FlowKind, FlowOptions, FlowSnapshot};
use atrium_core::ids::MemberGuid;
use atrium_core::oauth::{redirect_return, OAuthEnd};

/// A fresh run id, for a resume that has only a member's GUID.
fn fresh_snapshot(member: &MemberGuid, kind: FlowKind) -> FlowSnapshot {
    FlowSnapshot::of_member(member, kind, format!("{:016x}", seed()))
}

/// The snapshot kept under `key`, if one is there and reads.
fn saved(key: &str) -> Option<FlowSnapshot> {
    let text = storage_get("sessionStorage", key)?;
    let value = js_sys::JSON::parse(&text).ok()?;
    from_js::<FlowSnapshot>(value, "saved snapshot", &[]).ok()
}

impl AtriumClient {
    fn resume_snapshot(
        &self,
        snapshot: &FlowSnapshot,
        (options, face): (FlowOptions, Face),
        oauth: Option<OAuthEnd>,
    ) -> Result<MemberFlow, Rejection> {
        let resumed = Flow::resume(snapshot, options, seed(), oauth)?;
        Ok(self.launch(resumed.flow, Some(resumed.member), face, resumed.user))
    }
}

#[wasm_bindgen]
impl AtriumClient {
    /// Carries on a flow: `resume(snapshot, options?)`, or `resume(memberGuid, kind, options?)`
    /// when only the member's GUID was kept. It reads the member first, then follows what
    /// runs, re-asks an open challenge, waits at the OAuth window, or ends at once.
    pub fn resume(
        &self,
        #[wasm_bindgen(unchecked_param_type = "FlowSnapshot | string")] from: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowKind | FlowOptions")] second: Option<JsValue>,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowOptions")] third: Option<JsValue>,
    ) -> Result<MemberFlow, Rejection> {
        if from.is_string() {
            let member: MemberGuid = id(&from, "member_guid")?;
            let kind = second
                .as_ref()
                .and_then(JsValue::as_string)
                .ok_or_else(|| AtriumError::invalid("resume(memberGuid, kind): kind must be a string."))?;
            let kind = FlowKind::parse(&kind, "kind")?;
            let options = flow_options(third, false)?;
            return self.resume_snapshot(&fresh_snapshot(&member, kind), options, None);
        }
        let snapshot: FlowSnapshot = from_js(from, "snapshot", &[])?;
        self.resume_snapshot(&snapshot, flow_options(second, false)?, None)
    }

    /// The page the OAuth window redirected back to (`client_redirect_url` with the outcome
    /// and member GUID appended): the flow of that member, told how the window ended. With
    /// `persistKey`, the snapshot kept there (same member) keeps its run id.
    #[wasm_bindgen(js_name = resumeFromRedirect)]
    pub fn resume_from_redirect(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | Location | URL")] url: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowOptions")] options: Option<JsValue>,
    ) -> Result<MemberFlow, Rejection> {
        let href = url
            .as_string()
            .or_else(|| get(&url, "href").as_string())
            .ok_or_else(|| AtriumError::invalid("url must be a string, a Location or a URL."))?;
        let back = redirect_return(&href)?;
        let (options, face) = flow_options(options, false)?;
        let kept = face
            .persist_key
            .as_deref()
            .and_then(saved)
            .filter(|s| s.member_guid.as_deref() == Some(back.member_guid.as_str()));
        let snapshot = kept.unwrap_or_else(|| fresh_snapshot(&back.member_guid, FlowKind::Connect));
        self.resume_snapshot(&snapshot, (options, face), Some(back.end))
    }

    /// The flow whose snapshot is kept under `key` (a flow's `persistKey`), carried on; null
    /// when none is kept there.
    #[wasm_bindgen(js_name = resumeSaved)]
    pub fn resume_saved(
        &self,
        key: String,
        #[wasm_bindgen(unchecked_optional_param_type = "FlowOptions")] options: Option<JsValue>,
    ) -> Result<Option<MemberFlow>, Rejection> {
        let Some(snapshot) = saved(&key) else {
            return Ok(None);
        };
        // The flow keeps its snapshot under the key it came from (the caller's options
        // object is left as it was).
        let (options, face) = flow_options(options, false)?;
        let face = Face {
            persist_key: Some(key),
            ..face
        };
        self.resume_snapshot(&snapshot, (options, face), None)
            .map(Some)
    }

    /// Whether the end of the flow run `runId` was reported (its `end` told) by a page of this
    /// origin: a reload or another tab that resumed it.
    #[wasm_bindgen(js_name = endReported)]
    pub fn end_reported(&self, #[wasm_bindgen(js_name = runId)] run_id: String) -> bool {
        end_reported(&run_id)
    }
}
