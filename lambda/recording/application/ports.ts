import type { Activity } from '../../shared/contract/activity.ts';
import type { FlagSetting } from '../../shared/contract/flag.ts';

import type { StoredIdentity } from '../domain/activities.ts';

/** Result of a conditional put: written, or an item with this key already existed (what identifies its action). */
export type PutResult =
  | { readonly written: true }
  | { readonly written: false; readonly existing: StoredIdentity };

/** Writes activities; `putIfAbsent` never overwrites. */
export interface ActivityWriter {
  putIfAbsent(activity: Activity): Promise<PutResult>;
}

/** Current flag setting (cached by the implementation). */
export interface FlagReader {
  current(): Promise<FlagSetting>;
}
