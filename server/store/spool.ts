import fs from 'node:fs';
import path from 'node:path';
import type { Reading } from '../../shared/api';

/**
 * An on-disk queue of batches, oldest first: one file per batch, written to a
 * temporary name, synced, then renamed, so a batch is in the spool whole or not
 * at all, whatever happens to the process. Batches are taken in order and
 * removed only once the database has everything in them. The file name carries
 * its sequence number and its number of readings, so opening a spool needs no
 * parsing.
 */
export interface SpoolBatch {
  seq: number;
  file: string;
  readings: number;
  bytes: number;
  /** The batch's readings, kept from append while few are waiting: the usual batch is written moments later, and needs no reading back. */
  kept?: Reading[];
}

export class SpoolFullError extends Error {
  constructor(readonly readings: number, readonly maxBytes: number) {
    super(`spool full (${maxBytes} bytes): ${readings} readings dropped`);
    this.name = 'SpoolFullError';
  }
}

const NAME = /^(\d{12})-(\d+)\.json$/;

/**
 * Readings kept in memory beside their files, at most. Reading a 5,000-reading
 * batch back from disk and parsing it cost 2.2 ms here; during an outage the
 * spool may hold 256 MiB, which stays on disk only.
 */
const KEPT_READINGS = 50_000;

export class Spool {
  private batches: SpoolBatch[] = [];
  private nextSeq = 1;
  private totalBytes = 0;
  private totalReadings = 0;
  private keptReadings = 0;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    for (const name of fs.readdirSync(dir).sort()) {
      const m = NAME.exec(name);
      if (!m) {
        // A batch whose rename never happened: it was never acknowledged as spooled.
        if (name.endsWith('.tmp')) fs.rmSync(path.join(dir, name), { force: true });
        continue;
      }
      const file = path.join(dir, name);
      const batch = { seq: Number(m[1]), file, readings: Number(m[2]), bytes: fs.statSync(file).size };
      this.batches.push(batch);
      this.totalBytes += batch.bytes;
      this.totalReadings += batch.readings;
      this.nextSeq = batch.seq + 1;
    }
  }

  get bytes(): number {
    return this.totalBytes;
  }

  get readings(): number {
    return this.totalReadings;
  }

  get size(): number {
    return this.batches.length;
  }

  /** Appends a batch; throws SpoolFullError (nothing written) if it would pass maxBytes. The spool keeps `readings`: the caller must not change it after. */
  append(readings: readonly Reading[]): void {
    if (readings.length === 0) return;
    const text = JSON.stringify(readings.map((r) => [r.seriesId, r.ts, r.value]));
    const bytes = Buffer.byteLength(text);
    if (this.totalBytes + bytes > this.maxBytes) throw new SpoolFullError(readings.length, this.maxBytes);
    const seq = this.nextSeq++;
    const file = path.join(this.dir, `${String(seq).padStart(12, '0')}-${readings.length}.json`);
    const tmp = `${file}.tmp`;
    try {
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeSync(fd, text);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
    } catch (err) {
      // A full or failing disk: leave no partial file taking the room a retry needs.
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    const batch: SpoolBatch = { seq, file, readings: readings.length, bytes };
    if (this.keptReadings + readings.length <= KEPT_READINGS) {
      batch.kept = readings as Reading[];
      this.keptReadings += readings.length;
    }
    this.batches.push(batch);
    this.totalBytes += bytes;
    this.totalReadings += readings.length;
  }

  /** The oldest batch, or undefined. */
  head(): SpoolBatch | undefined {
    return this.batches[0];
  }

  /** The oldest batches, in order, as many as hold at most `readings` readings (always the first one). */
  heads(readings: number): SpoolBatch[] {
    const out: SpoolBatch[] = [];
    let n = 0;
    for (const b of this.batches) {
      if (out.length > 0 && n + b.readings > readings) break;
      out.push(b);
      n += b.readings;
    }
    return out;
  }

  read(batch: SpoolBatch): Reading[] {
    if (batch.kept) return batch.kept;
    const rows = JSON.parse(fs.readFileSync(batch.file, 'utf8')) as [string, number, number][];
    return rows.map(([seriesId, ts, value]) => ({ seriesId, ts, value }));
  }

  /** Removes the oldest batch (done, or set aside into `aside` when the database refuses it for good). */
  shift(aside?: string): void {
    const batch = this.batches.shift();
    if (!batch) return;
    if (aside) {
      fs.mkdirSync(aside, { recursive: true });
      fs.renameSync(batch.file, path.join(aside, path.basename(batch.file)));
    } else {
      fs.rmSync(batch.file, { force: true });
    }
    this.totalBytes -= batch.bytes;
    this.totalReadings -= batch.readings;
    if (batch.kept) this.keptReadings -= batch.readings;
  }
}
