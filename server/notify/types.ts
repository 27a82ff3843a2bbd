import type { Alert } from '../../shared/alerts';
export type NotifyChannel = 'email' | 'webhook';
export type NotifyLang = 'fr' | 'en';
/** What a notification is about. 'escalated' = re-sent because not acknowledged in time; 'test' = the "send a test" action. */
export type NotifyEventType = 'alert:raised' | 'alert:cleared' | 'alert:escalated' | 'test';
export interface NotifyEvent { type: NotifyEventType; alert: Alert | null; /** epoch ms of the event */ at: number; }
/** One message to one recipient, as the outbox keeps it. */
export interface Delivery {
  /** Outbox row id. */ id: number;
  /** Idempotency key, stable across retries: the e-mail's Message-ID local part and the webhook's delivery id. */ key: string;
  channel: NotifyChannel;
  /** An e-mail address, or a webhook id (see WebhookTarget). */ to: string;
  lang: NotifyLang;
  event: NotifyEvent;
  /** Attempts made before this one. */ attempts: number;
}
/** A channel's sender (one small module per channel, one interface, as Uptime Kuma's notification providers). send() resolves once the receiver accepted the message, and throws (with a message fit for the delivery log, never containing a secret) otherwise. */
export interface Provider { readonly channel: NotifyChannel; send(d: Delivery): Promise<void>; close?(): Promise<void>; }
