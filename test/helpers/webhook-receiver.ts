import { type IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../server/notify/webhook';

export interface ReceivedWebhook {
  /** Lower-case names, as node:http gives them; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The request's path and query, e.g. "/hook?token=…". */
  path: string;
  body: string;
  /** The body parsed, or null when it is not JSON. */
  json: unknown;
  signatureValid: boolean;
}

export interface WebhookReceiver {
  /** http://127.0.0.1:<port>/hook */
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** A status to answer every POST with, without recording it (an outage); null: back to 200. */
  setDown(status: number | null): void;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** A real HTTP receiver on 127.0.0.1, checking each request's signature as a subscriber would. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let down: number | null = null;

  const server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    readBody(req).then(
      (body) => {
        if (down !== null) {
          res.writeHead(down, { 'content-type': 'text/plain' }).end('down for maintenance');
          return;
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
        const signature = headers[SIGNATURE_HEADER.toLowerCase()] ?? '';
        const timestamp = headers[TIMESTAMP_HEADER.toLowerCase()] ?? '';
        received.push({ headers, path: req.url ?? '', body, json: parseJson(body), signatureValid: verifySignature(secret, timestamp, body, signature) });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      },
      () => res.destroy(),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    received,
    setDown: (status) => {
      down = status;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        // Kept-alive connections from fetch would hold close() open.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
