// A React consumer of `atrium-wasm/react`, type-checked with the others: the component's
// props and callbacks, and the hook with the element written in JSX; the lines marked
// as expected errors must stay errors.
import { StrictMode } from 'react';
import type { ConnectionStatus } from 'atrium-wasm';
import type { AtriumConnectStep } from 'atrium-wasm/connect';
import { AtriumConnect, useAtriumConnect } from 'atrium-wasm/react';

export function Connect({ token }: { token: () => Promise<string> }) {
  return (
    <StrictMode>
      <AtriumConnect
        token={token}
        locale="es"
        colorScheme="dark"
        messages={{ 'common.close': 'Cerrar' }}
        onSuccess={({ member, status, accounts }) => {
          const s: ConnectionStatus | null = status;
          return [member, s, accounts?.length];
        }}
        onExit={({ outcome, step }) => {
          const at: AtriumConnectStep | null = step;
          return [outcome, at];
        }}
        onEvent={(detail) => (detail.type === 'step' ? detail.previous : detail.status)}
      />
    </StrictMode>
  );
}

export function Verify({ member }: { member: string }) {
  const { ref, start } = useAtriumConnect({ token: 'relay-token', memberGuid: member, mode: 'verify' });
  return (
    <div>
      <atrium-connect ref={ref} member-guid={member} mode="verify" persist-key="verify" color-scheme="light" />
      <button type="button" onClick={start}>
        Again
      </button>
    </div>
  );
}

export const wrong = [
  // @ts-expect-error a mode the element does not have
  <atrium-connect mode="connect-everything" />,
  // @ts-expect-error the token is required
  <AtriumConnect relayUrl="/relay" />,
  // @ts-expect-error callbacks receive typed details
  <AtriumConnect token="t" onSuccess={(d: { nope: true }) => d} />,
];
