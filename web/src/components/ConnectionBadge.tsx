import type { ConnectionState } from '../lib/use-live';

const TEXT: Record<ConnectionState, string> = {
  connected: 'Connecté',
  connecting: 'Connexion…',
  disconnected: 'Déconnecté',
};

/** A distinct shape per state, so that the state never rests on colour alone. */
function StateIcon({ state }: { state: ConnectionState }) {
  return (
    <svg className="connection-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      {state === 'connected' && <circle cx="8" cy="8" r="6" fill="currentColor" />}
      {state === 'connecting' && <circle className="connection-spinner" cx="8" cy="8" r="5.5" fill="none" stroke="currentColor" strokeWidth="2.5" strokeDasharray="8 4" />}
      {state === 'disconnected' && <path d="M3.5 3.5l9 9M12.5 3.5l-9 9" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />}
    </svg>
  );
}

export function ConnectionBadge({ state }: { state: ConnectionState }) {
  return (
    <div className={`connection connection-${state}`}>
      <StateIcon state={state} />
      <span data-testid="connection-state" data-state={state} role="status">
        {TEXT[state]}
      </span>
      {state === 'disconnected' && <span className="connection-hint">nouvelle tentative automatique</span>}
    </div>
  );
}
