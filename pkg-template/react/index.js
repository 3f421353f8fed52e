// React binding of <atrium-connect>: `useAtriumConnect` wires an element you render, and
// `<AtriumConnect>` renders one. Typed callbacks (onSuccess, onExit, onEvent) always call the
// latest props; each instance has its own element and events, so several can share a page.
// Nothing touches `window` at import or during a server render: the element is registered
// and configured when React attaches it in the browser.
import { createElement, useCallback, useEffect, useLayoutEffect, useRef } from 'react';
import { defineAtriumConnect } from '../connect/index.js';

const PROPERTIES = [
  'relayUrl',
  'token',
  'userGuid',
  'institution',
  'memberGuid',
  'mode',
  'locale',
  'colorScheme',
  'messages',
  'persistKey',
  'oauth',
  'redirectUrl',
];
const EVENTS = [
  ['atrium-success', 'onSuccess'],
  ['atrium-exit', 'onExit'],
  ['atrium-event', 'onEvent'],
];

/** Sets the options that changed, as properties (React 18 would pass only attributes). */
function apply(element, options) {
  for (const name of PROPERTIES) {
    if (options[name] !== undefined && element[name] !== options[name]) element[name] = options[name];
  }
}

/** A layout effect in the browser; on the server (no document) a plain one, which React skips there. */
const useBrowserLayoutEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/**
 * `const { ref, start } = useAtriumConnect(options)`, then `<atrium-connect ref={ref} />`.
 * The element starts once attached, with the options set before its first step.
 */
export function useAtriumConnect(options) {
  const latest = useRef(options);
  // The callbacks the element's events reach: those of the last committed render.
  useBrowserLayoutEffect(() => {
    latest.current = options;
  });
  const attached = useRef(null);
  const ref = useCallback((element) => {
    const previous = attached.current;
    if (previous) {
      for (const [type] of EVENTS) previous.element.removeEventListener(type, previous.listener);
    }
    attached.current = null;
    if (!element) return;
    // Registered (and this element upgraded) before its properties are set, so that they
    // reach the element's own accessors; it starts in a microtask after this.
    defineAtriumConnect();
    globalThis.customElements.upgrade(element);
    apply(element, latest.current);
    const listener = (event) => {
      const handler = EVENTS.find(([type]) => type === event.type)?.[1];
      latest.current[handler]?.(event.detail);
    };
    for (const [type] of EVENTS) element.addEventListener(type, listener);
    attached.current = { element, listener };
  }, []);
  useEffect(() => {
    if (attached.current) apply(attached.current.element, options);
  });
  const start = useCallback(() => attached.current?.element.start(), []);
  return { ref, start };
}

/** `<AtriumConnect relayUrl token onSuccess onExit … />`: one <atrium-connect>. */
export function AtriumConnect({ id, className, ...options }) {
  const { ref } = useAtriumConnect(options);
  return createElement('atrium-connect', { ref, id, className });
}
