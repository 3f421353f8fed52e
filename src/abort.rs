//! Cleanup owned by `Drop`, after reqwest's `AbortGuard`: an attempt's own abort signal with
//! its timeout and its link to the caller's signal, and event listeners, each undone when the
//! guard goes, however the work it guards ended. Nothing is `forget()`-ed.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{AbortController, AbortSignal, EventTarget};

use crate::js::{clear_timer, set_timer};

/// An event listener, removed when this is dropped (and its closure freed with it).
pub(crate) struct Listener {
    target: EventTarget,
    kind: &'static str,
    closure: Closure<dyn FnMut()>,
}

impl Listener {
    pub(crate) fn new(target: &EventTarget, kind: &'static str, f: impl FnMut() + 'static) -> Self {
        let closure = Closure::<dyn FnMut()>::new(f);
        let _ = target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
        Listener {
            target: target.clone(),
            kind,
            closure,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.closure.as_ref().unchecked_ref());
    }
}

/// A stopper JavaScript handed back (a listener's or an interval's), with the closure it
/// calls: both go when this is dropped.
pub(crate) struct Watch<F: ?Sized> {
    stop: js_sys::Function,
    _closure: Closure<F>,
}

impl<F: ?Sized> Watch<F> {
    pub(crate) fn new(closure: Closure<F>, start: impl FnOnce(&js_sys::Function) -> js_sys::Function) -> Self {
        let stop = start(closure.as_ref().unchecked_ref());
        Watch {
            stop,
            _closure: closure,
        }
    }
}

impl<F: ?Sized> Drop for Watch<F> {
    fn drop(&mut self) {
        let _ = self.stop.call0(&JsValue::NULL);
    }
}

/// A timer, cleared when this is dropped.
pub(crate) struct Timer {
    id: JsValue,
    _closure: Closure<dyn FnMut()>,
}

impl Timer {
    pub(crate) fn new(ms: u32, f: impl FnMut() + 'static) -> Self {
        let closure = Closure::<dyn FnMut()>::new(f);
        let id = set_timer(closure.as_ref().unchecked_ref(), ms);
        Timer {
            id,
            _closure: closure,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        clear_timer(&self.id);
    }
}

/// One attempt's signal: aborted by the caller's signal or by the attempt's timeout.
pub(crate) struct AttemptGuard {
    controller: AbortController,
    timed_out: Rc<Cell<bool>>,
    caller: Option<AbortSignal>,
    _timer: Timer,
    _listener: Option<Listener>,
}

impl AttemptGuard {
    pub(crate) fn new(caller: Option<&AbortSignal>, timeout_ms: u32) -> Option<Self> {
        let controller = AbortController::new().ok()?;
        let timed_out = Rc::new(Cell::new(false));
        let timer = {
            let (c, flag) = (controller.clone(), timed_out.clone());
            Timer::new(timeout_ms, move || {
                flag.set(true);
                c.abort();
            })
        };
        let listener = caller.map(|signal| {
            if signal.aborted() {
                controller.abort();
            }
            let c = controller.clone();
            Listener::new(signal, "abort", move || c.abort())
        });
        Some(AttemptGuard {
            controller,
            timed_out,
            caller: caller.cloned(),
            _timer: timer,
            _listener: listener,
        })
    }

    pub(crate) fn signal(&self) -> AbortSignal {
        self.controller.signal()
    }

    pub(crate) fn timed_out(&self) -> bool {
        self.timed_out.get()
    }

    pub(crate) fn caller_aborted(&self) -> bool {
        self.caller.as_ref().is_some_and(AbortSignal::aborted)
    }
}
