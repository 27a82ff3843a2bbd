import type { Alert } from '../../shared/alerts';

export type NotifyChannel = 'email' | 'webhook';
export type NotifyLang = 'fr' | 'en';

/**
 * What a notification is about. 'alert:escalated': sent again because not
 * acknowledged in time; 'digest': the daily summary; 'test': the "send a test" action.
 */
export type NotifyEventType = 'alert:raised' | 'alert:cleared' | 'alert:escalated' | 'digest' | 'test';

/** The daily digest's content, gathered when it is made (docs/notifications.md). */
export interface DigestContent {
  /** The Paris date it is sent on (YYYY-MM-DD); it covers the 24 h before `toMs`. */
  date: string;
  fromMs: number;
  toMs: number;
  /** Alerts open now (active, acknowledged or cleared), most severe first. */
  open: Alert[];
  /** Alerts raised in the 24 h, open or not. */
  recent: Alert[];
  /** Messages held back by quiet hours since the last digest. */
  held: number;
  /** Devices offline or stale now. */
  devices: { id: string; label: string; status: 'offline' | 'stale'; lastSeen: number | null }[];
  /** Yesterday's (Paris) energy; null when the store could not say. */
  energy: { date: string; pvKWh: number | null; consumptionKWh: number | null; selfSufficiencyPct: number | null } | null;
}

export interface NotifyEvent {
  type: NotifyEventType;
  alert: Alert | null;
  /** Epoch ms of the event. */
  at: number;
  /** 'alert:escalated': how many times it was escalated (1 the first time). */
  level?: number;
  /** 'digest' only. */
  digest?: DigestContent;
  /** The recipient passed the flood limit with this one: the next are held for a while (policy.ts). */
  flood?: boolean;
}

/** One message to one recipient, as the outbox keeps it. */
export interface Delivery {
  /** Outbox row id. */
  id: number;
  /** Idempotency key, stable across retries: the e-mail's Message-ID local part and the webhook's delivery id. */
  key: string;
  channel: NotifyChannel;
  /** An e-mail address, or a webhook's id (WebhookTarget). */
  to: string;
  lang: NotifyLang;
  event: NotifyEvent;
  /** Attempts made before this one. */
  attempts: number;
}

/**
 * A channel's sender (one small module per channel behind one interface, as
 * Uptime Kuma's notification providers). send() resolves once the receiver
 * accepted the message, and throws otherwise, with a message fit for the
 * delivery log that never contains a secret.
 */
export interface Provider {
  readonly channel: NotifyChannel;
  send(d: Delivery): Promise<void>;
  close?(): Promise<void>;
}
