// Browser plumbing for the wasm layer: timers, abort signals and a tight loop over large
// lists, which is cheaper here than field by field across the wasm boundary.

/** Resolves after `ms`, or rejects at once when `signal` aborts; leaves no listener behind. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal && signal.aborted) return reject(new DOMException('aborted', 'AbortError'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    };
    const timer = setTimeout(() => {
      if (signal) signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal) signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One request of the API read to its end: the browser's `fetch` with the relay token and the
 * API's headers, then its body as the core needs it, in one promise (each await on the wasm
 * side costs the .wasm a state of its future). Resolves to { status, requestId, retryAfter,
 * body, bad }: body is the parsed JSON, undefined when there is none, a Uint8Array when
 * `bytes` asks for a success's bytes; bad is why the text was not JSON. Rejects only when
 * the network or the signal did.
 */
export async function exchange(url, method, accept, token, body, signal, bytes) {
  const headers = { Accept: accept, Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, { method, headers, body, signal });
  const header = (name) => response.headers.get(name) ?? undefined;
  const answer = {
    status: response.status,
    requestId: header('x-request-id'),
    retryAfter: header('retry-after'),
  };
  if (response.status === 204) return answer;
  if (bytes && response.ok) {
    answer.body = new Uint8Array(await response.arrayBuffer());
    return answer;
  }
  const text = await response.text();
  if (text.trim() === '') return answer;
  try {
    answer.body = JSON.parse(text);
  } catch (e) {
    answer.bad = String(e && e.message);
  }
  return answer;
}

/** `setTimeout` and `clearTimeout` where there is no `window` to ask (workers too). */
export const setTimer = (callback, ms) => setTimeout(callback, ms);
export const clearTimer = (id) => clearTimeout(id);

/**
 * Gives every item each of `fields` (null where missing), as the library's models promise.
 * Returns the index of the first item that is not an object, or -1.
 */
export function normalize(items, fields) {
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return i;
    for (let k = 0; k < fields.length; k++) {
      if (item[fields[k]] === undefined) item[fields[k]] = null;
    }
  }
  return -1;
}

/**
 * An async iterable over a wasm `PageIterator`: `next()` resolves to `{ value, done }`. The
 * wasm object is freed when the iteration ends, fails or is broken off (`return()`), so that
 * a walk over pages leaves nothing behind.
 */
export function asyncIterable(pages) {
  let live = true;
  const free = () => {
    if (live) {
      live = false;
      pages.free();
    }
  };
  const iterator = {
    async next() {
      if (!live) return { value: undefined, done: true };
      try {
        const step = await pages.next();
        if (step.done) free();
        return step;
      } catch (e) {
        free();
        throw e;
      }
    },
    async return(value) {
      free();
      return { value, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/** The caller's options without the keys the helpers use themselves. */
export function withPage(options, page) {
  const copy = Object.assign({}, options || {}, { page });
  delete copy.concurrency;
  return copy;
}

/**
 * A flow's wait: `ms`, then until the page is visible (a hidden page's flows do not poll);
 * resolves at once when `signal` aborts, and never rejects.
 */
export async function pause(ms, signal) {
  try {
    await sleep(ms, signal);
  } catch {
    return;
  }
  if (typeof document === 'undefined' || !document.hidden) return;
  await new Promise((resolve) => {
    const done = () => {
      if (!document.hidden || (signal && signal.aborted)) {
        document.removeEventListener('visibilitychange', done);
        resolve();
      }
    };
    document.addEventListener('visibilitychange', done);
    if (signal) signal.addEventListener('abort', done, { once: true });
  });
}

/** `promise`'s outcome, or a rejection as soon as `signal` aborts (the promise goes on). */
export function raceAbort(promise, signal) {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new DOMException('aborted', 'AbortError'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** A promise and the functions that settle it. */
export function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Opens a relay event stream with fetch (EventSource cannot send the Authorization header).
 * Resolves to { status, next }: next() resolves to the next text chunk, or null at the end;
 * it rejects when the connection breaks or `signal` aborts.
 */
export async function openStream(url, token, lastId, signal) {
  const headers = { Accept: 'text/event-stream', Authorization: `Bearer ${token}` };
  if (lastId) headers['Last-Event-ID'] = lastId;
  const response = await fetch(url, { headers, signal, cache: 'no-store' });
  if (!response.ok || !response.body) {
    response.body?.cancel().catch(() => {});
    return { status: response.status, next: async () => null };
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  return {
    status: response.status,
    next: async () => {
      const { value, done } = await reader.read();
      return done ? null : value;
    },
  };
}

// OAuth windows. Every message event of the page, as four strings or undefined: the core
// decides which count (origin, kind, member). Returns the function that stops listening.
export function watchMessages(onMessage) {
  const text = (v) => (typeof v === 'string' ? v : undefined);
  const object = (v) => (v !== null && typeof v === 'object' ? v : {});
  const listener = (e) => {
    const data = object(e.data);
    const meta = object(data.metadata);
    onMessage(String(e.origin), text(data.type), text(meta.member_guid), text(meta.error_reason));
  };
  globalThis.addEventListener?.('message', listener);
  return () => globalThis.removeEventListener?.('message', listener);
}

// A popup's closing fires no event in its opener: it is polled. Returns the stopper.
export function watchClosed(popup, onClosed) {
  const id = setInterval(() => {
    if (popup.closed) {
      clearInterval(id);
      onClosed();
    }
  }, 500);
  return () => clearInterval(id);
}

// Sends `win` (a window the app opened in its click handler, so no popup blocker stops it)
// to `uri`, or opens a popup; null when the browser refused.
export function openWindow(uri, target, win) {
  try {
    if (win && !win.closed) {
      win.location.href = uri;
      return win;
    }
    return globalThis.open?.(uri, target, 'popup,width=480,height=720') ?? null;
  } catch {
    return null;
  }
}

// Web storage that may be missing or throw (private modes, sandboxed frames, quotas).
export function storageGet(kind, key) {
  try {
    return globalThis[kind]?.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storageSet(kind, key, value) {
  try {
    if (value === undefined) globalThis[kind]?.removeItem(key);
    else globalThis[kind]?.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}
