import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidCursorError } from '../errors.ts';
import type { FeedPosition } from './ports.ts';

const VERSION = 'c1';

/**
 * Opaque feed cursors: the storage position, bound to the user and the type filter it was issued
 * for, signed with HMAC-SHA256. The signature makes a forged or edited cursor detectable without a
 * read; the binding stops a cursor of one user's feed from paging through another's.
 */
export class FeedCursors {
  private readonly key: Buffer;

  /** @param key secret of at least 32 bytes (the stack generates it; locally it is random per start). */
  constructor(key: string | Buffer) {
    this.key = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (this.key.length < 32) throw new Error('the feed cursor key must be at least 32 bytes long');
  }

  private mac(payload: string): Buffer {
    return createHmac('sha256', this.key).update(`${VERSION}.${payload}`).digest();
  }

  /** A cursor for the page after `position`. */
  encode(userId: string, detailType: string | undefined, position: FeedPosition): string {
    const payload = Buffer.from(JSON.stringify({ u: userId, t: detailType ?? null, p: position })).toString(
      'base64url',
    );
    return `${VERSION}.${payload}.${this.mac(payload).toString('base64url')}`;
  }

  /** The position in `cursor`; throws {@link InvalidCursorError} unless this API issued it for this user and filter. */
  decode(cursor: string, userId: string, detailType: string | undefined): FeedPosition {
    const [version, payload, signature, ...rest] = cursor.split('.');
    const expected = payload ? this.mac(payload) : undefined;
    const given = Buffer.from(signature ?? '', 'base64url');
    if (
      version !== VERSION ||
      rest.length > 0 ||
      !expected ||
      given.length !== expected.length ||
      !timingSafeEqual(given, expected)
    )
      throw new InvalidCursorError(
        'the cursor was not issued by this API or was altered: pass nextCursor back unchanged, or start again without a cursor',
      );
    const decoded = JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8')) as {
      u: string;
      t: string | null;
      p: FeedPosition;
    };
    if (decoded.u !== userId || decoded.t !== (detailType ?? null))
      throw new InvalidCursorError(
        'the cursor belongs to another user or type filter: use it only with the request that returned it',
      );
    return decoded.p;
  }
}
