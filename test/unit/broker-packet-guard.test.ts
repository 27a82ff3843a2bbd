import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { guardPacketSize } from '../../server/broker/index';
import { Rng } from '../helpers/fuzz';

/**
 * The broker's packet-size guard reads MQTT fixed headers (§2.2) from a byte
 * stream cut anywhere: it must never close a connection whose packets are all
 * within the limit, however the bytes arrive, and must close one as soon as a
 * header announces more.
 */
function feed(bytes: Buffer, rng: Rng, max: number): number[] {
  const stream = new PassThrough();
  const tooBig: number[] = [];
  guardPacketSize(stream, max, (length) => tooBig.push(length));
  // Chunks exactly as drawn (beside aedes, 'data' carries what each read() returns).
  for (let i = 0; i < bytes.length; ) {
    const n = rng.int(1, 7) === 1 ? 1 : rng.int(1, 3000);
    stream.emit('data', bytes.subarray(i, i + n));
    i += n;
  }
  return tooBig;
}

/** A packet as MQTT frames it (§2.2): a type byte, the remaining length in 1 to 4 bytes, the rest. */
function packet(type: number, body: Buffer): Buffer {
  const len: number[] = [];
  let x = body.length;
  do {
    let byte = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) byte |= 0x80;
    len.push(byte);
  } while (x > 0);
  return Buffer.concat([Buffer.from([type, ...len]), body]);
}

const TOPIC = 'le-numerique/grid-meter/telemetry';
/** A QoS 1 PUBLISH: topic length and topic, message id, payload (§3.3). */
function publish(size: number, messageId: number): Buffer {
  const head = Buffer.alloc(2 + TOPIC.length + 2);
  head.writeUInt16BE(TOPIC.length, 0);
  head.write(TOPIC, 2);
  head.writeUInt16BE(messageId, 2 + TOPIC.length);
  return packet(0x32, Buffer.concat([head, Buffer.alloc(size, 0x61)]));
}

describe('the MQTT packet-size guard', () => {
  it('lets every packet within the limit through, however the stream is cut', () => {
    const rng = new Rng(7);
    const packets: Buffer[] = [packet(0x10, Buffer.from('\x00\x04MQTT\x04\xc2\x00\x0a\x00\x01x\x00\x01u\x00\x01p', 'latin1'))];
    // Sizes around each length-byte boundary (127, 16,383, 2,097,151) and random ones.
    for (let i = 0; i < 300; i++) packets.push(publish(rng.pick([0, 1, 90, 126, 127, 128, 16_300, 16_383, 16_384, 20_000, 100_000, rng.int(0, 60_000)]), (i % 60_000) + 1));
    // PINGREQ, PUBACK, DISCONNECT: empty or tiny bodies.
    packets.push(packet(0xc0, Buffer.alloc(0)), packet(0x40, Buffer.from([0, 3])), packet(0xe0, Buffer.alloc(0)));
    const stream = Buffer.concat(packets);
    expect(feed(stream, rng, 100_100)).toEqual([]);
    // The same stream with a lower limit is stopped: the test above can fail.
    expect(feed(stream, rng, 50_000).length).toBe(1);
  });

  it('stops at the first packet over the limit, from its header alone', () => {
    const rng = new Rng(8);
    const over = publish(200_000, 2).subarray(0, 10); // the header and a few bytes: the rest never needs to come
    expect(feed(Buffer.concat([publish(1000, 1), over]), rng, 100_000)).toEqual([200_000 + 2 + TOPIC.length + 2]);
    // A 4-byte length announcing 256 MiB − 1, MQTT's largest: stopped as soon as its length
    // bytes so far pass the limit (2,097,151 after three), without waiting for the fourth.
    const tooBig = feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]), rng, 1024 * 1024);
    expect(tooBig).toHaveLength(1);
    expect(tooBig[0]).toBeGreaterThan(1024 * 1024);
  });
});
