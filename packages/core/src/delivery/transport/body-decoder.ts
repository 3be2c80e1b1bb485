import zlib from 'node:zlib';

/** What a {@link BodyDecoder} hands on: the decoded bytes, their end, or why they cannot be decoded. */
export interface DecodedBodySink {
  data(chunk: Buffer): void;
  end(): void;
  error(error: Error): void;
}

// Chunks are handed over as they decode (flush), and the end of the compressed data is
// required (zlib's and brotli's default finish): a body that stops short of it — cut by the
// receiver, with its Content-Length met — is an error, not a quietly shorter body.
const ZLIB_OPTIONS = { flush: zlib.constants.Z_SYNC_FLUSH };
const BROTLI_OPTIONS = { flush: zlib.constants.BROTLI_OPERATION_FLUSH };

/** The first byte of a zlib header with the deflate method and a 32 KB window (what every encoder writes). */
const ZLIB_HEADER_FIRST_BYTE = 0x78;

type Coding = 'gzip' | 'deflate' | 'br';

function codingOf(encoding: string | undefined): Coding | undefined {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
    case 'compress':
    case 'x-compress':
      return 'gzip';
    case 'deflate':
      return 'deflate';
    case 'br':
      return 'br';
    default:
      return undefined;
  }
}

/**
 * Decodes a response body per its Content-Encoding, the same for both built-in transports, so
 * their log entries read alike: gzip (and `compress`, as axios reads it; a zlib stream labelled
 * gzip too), deflate zlib-wrapped or raw (servers send both; axios and browsers read both), br.
 * A body that ends before its compressed data does is reported to `sink.error` (zlib's
 * Z_BUF_ERROR "unexpected end of file") after what decoded until then; an empty body is empty.
 */
export class BodyDecoder {
  private stream: zlib.Unzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress | undefined;
  private stopped = false;

  private constructor(
    private readonly coding: Coding,
    private readonly sink: DecodedBodySink,
  ) {}

  /** The decoder of `encoding`, or undefined when the body is not encoded (or in a coding it does not know: kept as it came). */
  static for(encoding: string | undefined, sink: DecodedBodySink): BodyDecoder | undefined {
    const coding = codingOf(encoding);
    return coding && new BodyDecoder(coding, sink);
  }

  /** Decodes the next bytes of the body as it arrived. */
  write(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    (this.stream ??= this.open(chunk)).write(chunk);
  }

  /** The body ended: what is left is decoded, then `sink.end` (or `sink.error`, when the compressed data is cut short). */
  end(): void {
    if (this.stopped) return;
    // No bytes at all (a 200 with Content-Encoding and Content-Length: 0): an empty body, not a cut one.
    if (!this.stream) return this.sink.end();
    this.stream.end();
  }

  /**
   * Decodes what was written so far without ending the body — its output reaches `sink.data` —
   * then calls `done`, unless the decoder is stopped first (the sink took enough, an error, a
   * stop). For a body cut on the wire ({@link wireByteCap}): zlib decodes on the thread pool, so
   * the bytes that had arrived were not yet decoded when the cut came, and the cut kept nothing.
   */
  settle(done: () => void): void {
    if (this.stopped) return;
    if (!this.stream) return done();
    this.stream.flush(() => this.stopped || done());
  }

  /** Stops decoding (body capped, attempt stopped): nothing more reaches the sink. */
  destroy(): void {
    this.stopped = true;
    if (!this.stream) return;
    this.stream.removeAllListeners('data');
    this.stream.destroy();
  }

  /** The decompressor, made at the first bytes: they tell a zlib-wrapped deflate body from a raw one. */
  private open(first: Buffer): zlib.Unzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress {
    const stream =
      this.coding === 'br' ? zlib.createBrotliDecompress(BROTLI_OPTIONS) : this.coding === 'gzip' ? zlib.createUnzip(ZLIB_OPTIONS) : first[0] === ZLIB_HEADER_FIRST_BYTE ? zlib.createInflate(ZLIB_OPTIONS) : zlib.createInflateRaw(ZLIB_OPTIONS);
    stream.on('data', (chunk: Buffer) => this.stopped || this.sink.data(chunk));
    stream.on('end', () => this.stopped || this.sink.end());
    stream.on('error', (error) => this.stopped || this.sink.error(error));
    return stream;
  }
}

/**
 * How many bytes of an encoded (compressed) response body the transports read from the wire
 * before they stop, for a `maxResponseBodyBytes` of `decodedCap`: twice the cap plus 4 KiB. No
 * honest encoding of `decodedCap` bytes is longer (deflate's stored blocks add 5 bytes per 64 KiB,
 * gzip's header and trailer 18), while a receiver sending empty deflate blocks without end had
 * hookwork read ~60 MB and decompress for 3 s with nothing decoded, until the deadline. Past it
 * the body is cut as at the decoded cap: exactly these bytes are decoded (whatever chunks they
 * came in), what they decode to is kept up to the decoded cap, and the status still decides.
 */
export function wireByteCap(decodedCap: number): number {
  return decodedCap * 2 + 4096;
}

/** The note of a body cut at {@link wireByteCap} that decoded to less than `decodedCap` (the transports add the decoded bytes kept). */
export function wireCapNote(decodedCap: number): string {
  return `cut at maxResponseBodyBytes: its first ${wireByteCap(decodedCap)} bytes on the wire (twice maxResponseBodyBytes plus 4 KiB) decoded to fewer than that; the rest was not read`;
}
