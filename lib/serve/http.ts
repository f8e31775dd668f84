/** The training service's HTTP helpers: bounded request bodies, JSON replies and errors, the /predict image parser. */
import type { IncomingMessage, ServerResponse } from 'http';

/** A request the service refuses: the status (4xx) and a message for the client. */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.headers = headers;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, e: HttpError): void {
  sendJson(res, e.status, { error: e.message, status: e.status }, e.headers);
}

/**
 * The request body, at most `limit` bytes: a larger one (by content-length, or as it streams in) is a
 * 413 without reading the rest (the connection is closed after the reply).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limit) {
      reject(new HttpError(413, `the request body is ${declared} bytes; the limit is ${limit} bytes`, { connection: 'close' }));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        reject(new HttpError(413, `the request body is more than ${limit} bytes (the limit)`, { connection: 'close' }));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks, size));
      }
    });
    req.on('error', (e) => {
      if (!done) {
        done = true;
        reject(new HttpError(400, `the request body could not be read: ${e.message}`));
      }
    });
  });
}

export const IMAGE_SIDE = 28;
export const IMAGE_PIXELS = IMAGE_SIDE * IMAGE_SIDE;

/**
 * The pixels of a /predict body as 784 numbers in [0, 255]:
 *  - content-type application/octet-stream (or any body that is not JSON, of exactly 784 bytes): raw bytes, row by row;
 *  - JSON: an array of 784 numbers, or 28 arrays of 28, or {"image": one of those}; values in [0, 255]
 *    (as the dataset's bytes) unless {"scale": 1}, then in [0, 1].
 */
export function parseImage(body: Buffer, contentType: string | undefined): Float64Array {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const raw = (): Float64Array => {
    if (body.length !== IMAGE_PIXELS) throw new HttpError(400, `a raw image must be ${IMAGE_PIXELS} bytes (28 x 28, one byte per pixel), got ${body.length} bytes`);
    return Float64Array.from(body);
  };
  if (ct === 'application/octet-stream') return raw();
  const json = ct === 'application/json' || ct.endsWith('+json');
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (e) {
    if (!json && body.length === IMAGE_PIXELS) return raw();
    if (body.length === 0) throw new HttpError(400, 'the request body is empty: send a 28 x 28 image as JSON or 784 raw bytes');
    throw new HttpError(400, `the body is not valid JSON (${(e as Error).message}); send a 28 x 28 image as a JSON array or as 784 raw bytes (content-type application/octet-stream)`);
  }
  let scale = 255;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    const extra = Object.keys(o).filter((k) => k !== 'image' && k !== 'scale');
    if (extra.length) throw new HttpError(400, `unexpected key '${extra[0]}' in the JSON object (accepted: image, scale)`);
    if (o.scale !== undefined) {
      if (o.scale !== 1 && o.scale !== 255) throw new HttpError(400, `'scale' must be 1 (values in [0, 1]) or 255 (values in [0, 255]), got ${JSON.stringify(o.scale)}`);
      scale = o.scale;
    }
    value = o.image;
    if (value === undefined) throw new HttpError(400, "the JSON object has no 'image'");
  }
  if (!Array.isArray(value)) throw new HttpError(400, `the image must be a JSON array of ${IMAGE_PIXELS} numbers or of 28 rows of 28, got ${value === null ? 'null' : typeof value}`);
  let flat: unknown[];
  if (value.length === IMAGE_SIDE && value.every((r) => Array.isArray(r))) {
    const bad = value.findIndex((r) => (r as unknown[]).length !== IMAGE_SIDE);
    if (bad >= 0) throw new HttpError(400, `row ${bad} of the image has ${(value[bad] as unknown[]).length} values; every row must have ${IMAGE_SIDE}`);
    flat = (value as unknown[][]).flat();
  } else {
    flat = value;
  }
  if (flat.length !== IMAGE_PIXELS) throw new HttpError(400, `the image must have ${IMAGE_PIXELS} pixels (28 x 28), got ${flat.length}`);
  const out = new Float64Array(IMAGE_PIXELS);
  for (let i = 0; i < IMAGE_PIXELS; i++) {
    const v = flat[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new HttpError(400, `pixel ${i} is not a finite number: ${JSON.stringify(v)}`);
    if (v < 0 || v > scale) throw new HttpError(400, `pixel ${i} is ${v}, outside [0, ${scale}]`);
    out[i] = scale === 255 ? v : v * 255;
  }
  return out;
}
