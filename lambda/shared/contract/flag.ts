import { createHash } from 'node:crypto';

/**
 * The flag's valid values, in the one wording every message, description and usage text uses: the
 * parameter's description, the misconfiguration alarm, the recording log, the CLI and the local stack.
 */
export const FLAG_VALUES = 'off, on, false, true, 0, 100 or a percentage 1-99 of users';

/** What a flag value means. `misconfigured` values behave as off and must be reported. */
export type FlagSetting =
  | { readonly mode: 'off'; readonly raw: string; readonly misconfigured: boolean }
  | { readonly mode: 'on'; readonly raw: string }
  | { readonly mode: 'percentage'; readonly raw: string; readonly percentage: number };

const OFF = new Set(['false', 'off', '0']);
const ON = new Set(['true', 'on', '100']);

/**
 * Reads a flag value, one of {@link FLAG_VALUES}. Surrounding whitespace and letter case are ignored
 * (`" ON "` is on); a percentage is a plain integer. Anything else is off and `misconfigured`.
 */
export function parseFlag(raw: string): FlagSetting {
  const value = raw.trim().toLowerCase();
  if (OFF.has(value)) return { mode: 'off', raw, misconfigured: false };
  if (ON.has(value)) return { mode: 'on', raw };
  if (/^[1-9][0-9]?$/.test(value)) return { mode: 'percentage', raw, percentage: Number(value) };
  return { mode: 'off', raw, misconfigured: true };
}

/**
 * The user's bucket, 0–99: the first 32 bits of SHA-256 of the id, modulo 100. The same id always
 * lands in the same bucket, in every process and language.
 */
export function userBucket(userId: string): number {
  return createHash('sha256').update(userId).digest().readUInt32BE(0) % 100;
}

/**
 * Whether the integration is on for this user. At percentage P a user is in when their bucket is
 * below P, so raising P only ever adds users.
 */
export function isUserIncluded(setting: FlagSetting, userId: string): boolean {
  switch (setting.mode) {
    case 'on':
      return true;
    case 'off':
      return false;
    case 'percentage':
      return userBucket(userId) < setting.percentage;
  }
}
