import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server (smtp-server) on a free loopback port, keeping what it
 * receives, with just enough MIME parsing for tests to read what was sent.
 */

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  messageId: string;
  text: string;
  html: string;
}

export interface RunningSmtp {
  port: number;
  messages: ReceivedMail[];
  stop(): Promise<void>;
  /** While down, every new mail is answered "451" (a temporary failure), as a relay in trouble does. */
  setDown(down: boolean): void;
}

export async function startSmtpServer(opts: { auth?: { user: string; pass: string } } = {}): Promise<RunningSmtp> {
  const messages: ReceivedMail[] = [];
  let down = false;
  const server = new SMTPServer({
    authOptional: !opts.auth,
    // Plain SMTP on loopback: no certificate to make, and AUTH allowed without TLS.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onMailFrom(_address, _session, callback) {
      if (down) return callback(Object.assign(new Error('Service temporarily unavailable, try again later'), { responseCode: 451 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const envelope = session.envelope;
        messages.push({ from: envelope.mailFrom ? envelope.mailFrom.address : '', to: envelope.rcptTo.map((r) => r.address), raw, ...parseMail(raw) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    setDown: (d) => void (down = d),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Headers unfolded and keyed in lower case (the first of each name). */
function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0 && !headers.has(line.slice(0, i).toLowerCase())) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  return headers;
}

function splitPart(part: string): { headers: Map<string, string>; body: string } {
  const m = /\r?\n\r?\n/.exec(part);
  return m ? { headers: parseHeaders(part.slice(0, m.index)), body: part.slice(m.index + m[0].length) } : { headers: parseHeaders(part), body: '' };
}

function parseMail(raw: string): Pick<ReceivedMail, 'subject' | 'messageId' | 'text' | 'html'> {
  const { headers, body } = splitPart(raw);
  const parts = { text: '', html: '' };
  collectParts(headers, body, parts);
  return { subject: decodeWords(headers.get('subject') ?? ''), messageId: headers.get('message-id') ?? '', ...parts };
}

/** Walks multipart bodies, keeping the first text/plain and text/html leaves, decoded. */
function collectParts(headers: Map<string, string>, body: string, out: { text: string; html: string }): void {
  const type = (headers.get('content-type') ?? 'text/plain').toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  if (type.startsWith('multipart/') && boundary) {
    const sections = body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith('--')) break;
      const p = splitPart(section.replace(/^\r?\n/, ''));
      collectParts(p.headers, p.body, out);
    }
    return;
  }
  const text = decodeBody(body, headers.get('content-transfer-encoding') ?? '7bit');
  if (type.startsWith('text/html') && !out.html) out.html = text;
  else if (type.startsWith('text/plain') && !out.text) out.text = text;
}

function decodeBody(body: string, encoding: string): string {
  switch (encoding.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return qp(body.replace(/=\r?\n/g, ''));
    default:
      return body.replace(/\r?\n$/, '');
  }
}

/** "=C3=A9" -> "é": quoted-printable bytes, decoded as UTF-8. */
function qp(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const hex = s.slice(i + 1, i + 3);
    if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(s[i] as string, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8').replace(/\r?\n$/, '');
}

/** RFC 2047 encoded words ("=?UTF-8?Q?R=C3=A9sum=C3=A9?=", "=?UTF-8?B?...?="); adjacent words join without the space between them. */
function decodeWords(s: string): string {
  return s
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : qp(data.replace(/_/g, ' ')),
    );
}
