// The error every AtriumClient promise rejects with: a real Error subclass, so that stack
// traces, `instanceof Error` and error trackers work, with the fields callers branch on.
export class AtriumError extends Error {
  constructor(message, status, code, retryable, requestId) {
    super(message);
    this.name = 'AtriumError';
    this.status = status;
    this.code = code;
    this.retryable = retryable;
    this.requestId = requestId ?? null;
  }
}

export function makeAtriumError(message, status, code, retryable, requestId) {
  return new AtriumError(message, status, code, retryable, requestId);
}
