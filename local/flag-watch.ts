import { FLAG_VALUES, parseFlag } from '../lambda/shared/contract/flag.ts';
import type { LocalParameterStore, StoredParameter } from './parameters.ts';

/** Watches the flag parameter and the values deliveries read, for the local log. */
export interface FlagWatch {
  /** Checks the stored value now (at start, where a persistent stack may hold an old value). */
  check(): void;
  /** Told the raw flag value each delivery read. */
  delivered(raw: string): void;
}

/**
 * The contract says a misconfigured flag is logged: the deployed handler logs a warning and a
 * `FlagMisconfigured` metric, which `npm start` keeps quiet. This prints one `warning` line when
 * the flag is written with a value the handler treats as off (or as a SecureString, which the
 * handler reads as ciphertext), and once per distinct misconfigured value a delivery read.
 */
export function watchFlag(
  parameters: LocalParameterStore,
  flagParameterName: string,
  log: (line: string) => void,
): FlagWatch {
  let lastWarned: string | undefined;
  const warnStored = (parameter: StoredParameter) => {
    if (parameter.type === 'SecureString')
      log(
        `warning   flag ${flagParameterName} is a SecureString: the handler reads it without decryption, ` +
          `gets ciphertext and treats it as off. Store it as a String with one of ${FLAG_VALUES}`,
      );
    else if (isMisconfigured(parameter.value))
      log(
        `warning   flag ${flagParameterName} = ${JSON.stringify(parameter.value)} is misconfigured: the handler treats it as off. ` +
          `Use one of ${FLAG_VALUES}`,
      );
  };
  parameters.onPut((parameter) => {
    if (parameter.name === flagParameterName) warnStored(parameter);
  });
  return {
    check() {
      const stored = parameters.get(flagParameterName);
      if (stored) warnStored(stored);
    },
    delivered(raw) {
      if (!isMisconfigured(raw)) {
        lastWarned = undefined;
        return;
      }
      if (raw === lastWarned) return;
      lastWarned = raw;
      log(
        `warning   events are skipped: the flag value ${JSON.stringify(raw)} is misconfigured and read as off`,
      );
    },
  };
}

function isMisconfigured(raw: string): boolean {
  const setting = parseFlag(raw);
  return setting.mode === 'off' && setting.misconfigured;
}
