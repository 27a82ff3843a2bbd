/** Alerts (docs/alerts.md): startAlerts() is what server/app.ts wires; the rest is for routes and tests. */
export { type Alerts, type AlertsOptions, type AlertListener, MAX_READING_AGE_MS, startAlerts } from './engine';
export { AlertsError } from './lifecycle';
export type { AlertTableChange, AlertTables } from './store';
export { AlertRulesError, DEFAULT_RULES_FILE, readRulesFile } from './rules-file';
