import type { DeviceInfo } from '../../../../shared/site';
import type { DeviceStatusEvent } from '../../../../shared/live';
import { useMessages } from '../../lib/i18n';
import './devices.css';

export type DeviceState = DeviceInfo['state'];
export const DEVICE_STATES: readonly DeviceState[] = ['online', 'stale', 'offline', 'unknown'];

/**
 * The state to show: the live status event when one was heard since the
 * connection opened (it is newer than the REST list), else the list's own.
 */
export function effectiveState(info: Pick<DeviceInfo, 'state'> | undefined, event: DeviceStatusEvent | undefined): DeviceState {
  if (event) {
    if (event.status === 'offline') return 'offline';
    return event.stale ? 'stale' : 'online';
  }
  return info?.state ?? 'unknown';
}

const messages = {
  fr: { online: 'En ligne', stale: 'Muet', offline: 'Hors ligne', unknown: 'Inconnu' },
  en: { online: 'Online', stale: 'Stale', offline: 'Offline', unknown: 'Unknown' },
};

export function useStateLabels(): Record<DeviceState, string> {
  return useMessages(messages);
}

/** A distinct shape per state (disc, clock, cross, question mark): never colour alone. */
export function StateIcon({ state }: { state: DeviceState }) {
  return (
    <svg className="state-icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      {state === 'online' && <circle cx="8" cy="8" r="6" fill="currentColor" />}
      {state === 'stale' && (
        <>
          <circle cx="8" cy="8" r="6" fill="none" stroke="currentColor" strokeWidth="2" />
          <path d="M8 4.5V8l2.5 1.8" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </>
      )}
      {state === 'offline' && <path d="M3.5 3.5l9 9M12.5 3.5l-9 9" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" />}
      {state === 'unknown' && <path d="M5.5 5.8a2.5 2.5 0 1 1 3.6 2.2c-.7.4-1.1.9-1.1 1.7M8 12.3v.2" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />}
    </svg>
  );
}

export function StateBadge({ state, testId }: { state: DeviceState; testId?: string }) {
  const labels = useStateLabels();
  return (
    <span className={`state-badge state-${state}`} data-testid={testId} data-state={state}>
      <StateIcon state={state} />
      {labels[state]}
    </span>
  );
}
