// A consumer of `atrium-wasm/connect`, type-checked with consumer.ts: the element's
// properties, its typed events, and the lines marked @ts-expect-error must stay errors.
import {
  defineAtriumConnect,
  translator,
  type AtriumConnectElement,
  type AtriumConnectStep,
  type AtriumExitDetail,
  type AtriumSuccessDetail,
} from 'atrium-wasm/connect';

export function mountConnect(parent: HTMLElement, token: () => Promise<string>): AtriumConnectElement {
  defineAtriumConnect();
  const element = document.createElement('atrium-connect');
  element.token = token;
  element.locale = 'fr-CA';
  element.colorScheme = 'dark';
  element.mode = 'update-credentials';
  element.messages = { 'common.close': 'Fermer' };
  element.addEventListener('atrium-success', (event) => {
    const detail: AtriumSuccessDetail = event.detail;
    console.log(detail.status, detail.accounts?.length);
  });
  element.addEventListener('atrium-exit', (event) => {
    const detail: AtriumExitDetail = event.detail;
    const step: AtriumConnectStep | null = detail.step;
    console.log(detail.outcome, detail.error?.code, step);
  });
  element.addEventListener('atrium-event', (event) => {
    if (event.detail.type === 'status') console.log(event.detail.status);
    else console.log(event.detail.step, event.detail.previous);
  });
  // @ts-expect-error: not a mode
  element.mode = 'delete';
  // @ts-expect-error: not a key of the catalogs
  element.messages = { 'success.dne': 'Fini' };
  // @ts-expect-error: the step is read-only
  element.step = 'success';
  parent.append(element);
  console.log(translator('es')('search.title'));
  return element;
}
