import {
  AckRequestSchema,
  AlertAuditQuerySchema,
  AlertAuditResponseSchema,
  AlertDetailResponseSchema,
  AlertListQuerySchema,
  AlertListResponseSchema,
  AlertParamsSchema,
  AlertRuleListResponseSchema,
  AlertRuleSchema,
  AlertRuleViewSchema,
  AlertSchema,
  RuleEnableRequestSchema,
  RuleParamsSchema,
  ShelveRequestSchema,
} from '../../../shared/alerts';
import type { Accounts } from '../../auth/accounts';
import { type Alerts, AlertsError } from '../../alerts/index';

/**
 * What the routes call: the engine itself, or (scaled out, server/scale/alerts.ts)
 * the same calls answered by the instance that runs the alerts.
 */
export type AlertsApi = {
  [K in 'list' | 'get' | 'acknowledge' | 'shelve' | 'unshelve' | 'audit' | 'rules' | 'rule' | 'createRule' | 'updateRule' | 'setRuleEnabled' | 'deleteRule' | 'shelveRule' | 'unshelveRule']: (...args: Parameters<Alerts[K]>) => ReturnType<Alerts[K]> | Promise<ReturnType<Alerts[K]>>;
};
import { type AnyRoute, HttpError, route } from '../registry';

/**
 * Alerts and their rules (docs/alerts.md). Reading needs 'read'; acknowledging
 * and shelving 'alerts:ack' (operators); changing rules 'rules' (admins). Every
 * change is in the alerts' own trail, and in the server's audit trail too.
 */
export function alertRoutes(deps: { alerts: AlertsApi; accounts?: Pick<Accounts, 'audit'> }): AnyRoute[] {
  const { alerts } = deps;
  const actor = (p: { username: string } | undefined): string => p?.username ?? 'unknown';
  /** The engine's refusals as HTTP errors. */
  const run = async <T>(fn: () => T | Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AlertsError) throw new HttpError(err.status, err.message, err.details);
      throw err;
    }
  };
  const audit = (who: string, action: string, target: string, detail?: Record<string, unknown>) => deps.accounts?.audit(who, action, target, detail);

  return [
    route({
      method: 'get',
      path: '/v1/alerts',
      summary: 'Alerts: the open ones by default (active, acknowledged, cleared but not acknowledged), or any state with the history',
      tag: 'alerts',
      access: 'read',
      query: AlertListQuerySchema,
      response: AlertListResponseSchema,
      handler: ({ query }) => alerts.list(query),
    }),
    route({
      method: 'get',
      path: '/v1/alerts/:id',
      summary: 'One alert, with its audit trail: every transition, who, when and why',
      tag: 'alerts',
      access: 'read',
      params: AlertParamsSchema,
      response: AlertDetailResponseSchema,
      handler: ({ params }) => run(() => alerts.get(params.id)),
    }),
    route({
      method: 'post',
      path: '/v1/alerts/:id/ack',
      summary: 'Acknowledge an alert, with a comment: an active one stays until its condition is gone, a cleared one is closed',
      tag: 'alerts',
      access: 'alerts:ack',
      errors: [409],
      params: AlertParamsSchema,
      body: AckRequestSchema,
      response: AlertSchema,
      handler: async ({ params, body, principal }) => {
        const a = await run(() => alerts.acknowledge(params.id, actor(principal), body.comment));
        audit(actor(principal), 'alert.ack', `alert:${a.id}`, { rule: a.ruleId, comment: body.comment || undefined });
        return a;
      },
    }),
    route({
      method: 'post',
      path: '/v1/alerts/:id/shelve',
      summary: 'Shelve an alert for a while (at most a week), with a reason: out of the way, still evaluated, back when the time is up',
      tag: 'alerts',
      access: 'alerts:ack',
      errors: [409],
      params: AlertParamsSchema,
      body: ShelveRequestSchema,
      response: AlertSchema,
      handler: async ({ params, body, principal }) => {
        const a = await run(() => alerts.shelve(params.id, actor(principal), body.minutes, body.reason));
        audit(actor(principal), 'alert.shelve', `alert:${a.id}`, { rule: a.ruleId, minutes: body.minutes, reason: body.reason });
        return a;
      },
    }),
    route({
      method: 'post',
      path: '/v1/alerts/:id/unshelve',
      summary: 'Put a shelved alert back in view before its time',
      tag: 'alerts',
      access: 'alerts:ack',
      errors: [409],
      params: AlertParamsSchema,
      response: AlertSchema,
      handler: async ({ params, principal }) => {
        const a = await run(() => alerts.unshelve(params.id, actor(principal)));
        audit(actor(principal), 'alert.unshelve', `alert:${a.id}`, { rule: a.ruleId });
        return a;
      },
    }),
    route({
      method: 'get',
      path: '/v1/alert-audit',
      summary: 'The trail of every alert transition and rule change, newest first',
      tag: 'alerts',
      access: 'read',
      query: AlertAuditQuerySchema,
      response: AlertAuditResponseSchema,
      handler: async ({ query }) => ({ entries: await alerts.audit(query.limit, query.since) }),
    }),
    route({
      method: 'get',
      path: '/v1/alert-rules',
      summary: 'Alert rules: from the rules file and created over the API, with what each watches',
      tag: 'alert-rules',
      access: 'read',
      response: AlertRuleListResponseSchema,
      handler: async () => ({ rules: await alerts.rules() }),
    }),
    route({
      method: 'get',
      path: '/v1/alert-rules/:id',
      summary: 'One alert rule',
      tag: 'alert-rules',
      access: 'read',
      params: RuleParamsSchema,
      response: AlertRuleViewSchema,
      handler: ({ params }) => run(() => alerts.rule(params.id)),
    }),
    route({
      method: 'post',
      path: '/v1/alert-rules',
      summary: 'Create an alert rule (checked against the building: a target that matches nothing is refused)',
      tag: 'alert-rules',
      access: 'rules',
      status: 201,
      errors: [409],
      body: AlertRuleSchema,
      response: AlertRuleViewSchema,
      handler: async ({ body, principal }) => {
        const v = await run(() => alerts.createRule(body, actor(principal)));
        audit(actor(principal), 'alert-rule.create', `alert-rule:${body.id}`, { kind: body.kind });
        return v;
      },
    }),
    route({
      method: 'put',
      path: '/v1/alert-rules/:id',
      summary: 'Replace an alert rule created over the API (file rules: edit the file); its evaluation starts again, its open alerts stay',
      tag: 'alert-rules',
      access: 'rules',
      errors: [409],
      params: RuleParamsSchema,
      body: AlertRuleSchema,
      response: AlertRuleViewSchema,
      handler: async ({ params, body, principal }) => {
        const v = await run(() => alerts.updateRule(params.id, body, actor(principal)));
        audit(actor(principal), 'alert-rule.update', `alert-rule:${params.id}`, { kind: body.kind });
        return v;
      },
    }),
    route({
      method: 'patch',
      path: '/v1/alert-rules/:id',
      summary: 'Enable or disable an alert rule, file rules included; disabling clears its alerts',
      tag: 'alert-rules',
      access: 'rules',
      params: RuleParamsSchema,
      body: RuleEnableRequestSchema,
      response: AlertRuleViewSchema,
      handler: async ({ params, body, principal }) => {
        const v = await run(() => alerts.setRuleEnabled(params.id, body.enabled, actor(principal)));
        audit(actor(principal), body.enabled ? 'alert-rule.enable' : 'alert-rule.disable', `alert-rule:${params.id}`);
        return v;
      },
    }),
    route({
      method: 'delete',
      path: '/v1/alert-rules/:id',
      summary: 'Delete an alert rule created over the API; its alerts are cleared and stay in the history',
      tag: 'alert-rules',
      access: 'rules',
      status: 204,
      errors: [409],
      params: RuleParamsSchema,
      handler: async ({ params, principal }) => {
        await run(() => alerts.deleteRule(params.id, actor(principal)));
        audit(actor(principal), 'alert-rule.delete', `alert-rule:${params.id}`);
        return undefined;
      },
    }),
    route({
      method: 'post',
      path: '/v1/alert-rules/:id/shelve',
      summary: 'Shelve a rule for a while (at most a week), with a reason: its open alerts and those it raises meanwhile are shelved',
      tag: 'alert-rules',
      access: 'alerts:ack',
      params: RuleParamsSchema,
      body: ShelveRequestSchema,
      response: AlertRuleViewSchema,
      handler: async ({ params, body, principal }) => {
        const v = await run(() => alerts.shelveRule(params.id, actor(principal), body.minutes, body.reason));
        audit(actor(principal), 'alert-rule.shelve', `alert-rule:${params.id}`, { minutes: body.minutes, reason: body.reason });
        return v;
      },
    }),
    route({
      method: 'post',
      path: '/v1/alert-rules/:id/unshelve',
      summary: 'End the shelving of a rule before its time',
      tag: 'alert-rules',
      access: 'alerts:ack',
      errors: [409],
      params: RuleParamsSchema,
      response: AlertRuleViewSchema,
      handler: async ({ params, principal }) => {
        const v = await run(() => alerts.unshelveRule(params.id, actor(principal)));
        audit(actor(principal), 'alert-rule.unshelve', `alert-rule:${params.id}`);
        return v;
      },
    }),
  ];
}
