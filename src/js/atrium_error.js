// The error every AtriumClient promise rejects with: a real Error subclass, so that stack
// traces, `instanceof Error` and error trackers work, with every fact callers branch on.
export class AtriumError extends Error {
  constructor(message, facts = {}) {
    super(message);
    this.name = 'AtriumError';
    this.status = facts.status ?? 0;
    this.code = facts.code ?? 'network';
    this.retryable = facts.retryable ?? false;
    this.requestId = facts.requestId ?? null;
    this.retryAfterMs = facts.retryAfterMs ?? null;
    this.relayCode = facts.relayCode ?? null;
    this.path = facts.path ?? null;
    this.timeoutMs = facts.timeoutMs ?? null;
    this.oauthReason = facts.oauthReason ?? null;
  }
}

// Its name survives minification (`AtriumError.name`, what devtools show).
Object.defineProperty(AtriumError, 'name', { value: 'AtriumError' });

export function makeAtriumError(message, status, code, retryable, requestId, retryAfterMs, relayCode, path, timeoutMs, oauthReason) {
  return new AtriumError(message, { status, code, retryable, requestId, retryAfterMs, relayCode, path, timeoutMs, oauthReason });
}
