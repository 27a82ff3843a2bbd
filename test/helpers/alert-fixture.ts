import type { Alert } from '../../shared/alerts';

/** 2026-12-08 03:12 in Paris (winter, UTC+1): the instant the notification tests' alerts are raised at. */
export const FIXTURE_RAISED = Date.parse('2026-12-08T02:12:00Z');

/**
 * An active critical CO₂ alert, as the alerts engine hands it over, for the
 * tests of what notifications say; `over` changes any field. Its times default
 * to FIXTURE_RAISED.
 */
export function alertFixture(over: Partial<Alert> = {}): Alert {
  const raisedAt = over.raisedAt ?? FIXTURE_RAISED;
  return {
    id: 42,
    ruleId: 'co2-high',
    ruleName: 'CO₂ élevé',
    kind: 'threshold',
    severity: 'critical',
    target: { id: 'room-r1-meeting.co2', deviceId: 'room-r1-meeting', seriesId: 'room-r1-meeting.co2', zone: 'r1-meeting', label: 'Ambiance Salle de réunion · CO₂' },
    state: 'active',
    message: 'CO₂ à 1 640 ppm, au-dessus de 1 500 ppm depuis 10 min',
    value: 1640,
    raisedAt,
    lastRaisedAt: raisedAt,
    occurrences: 1,
    clearedAt: null,
    clearMessage: null,
    acknowledged: null,
    shelved: null,
    updatedAt: raisedAt,
    ...over,
  };
}
