import type { FlagReader } from '../../lambda/recording/application/ports.ts';
import { type FlagSetting, parseFlag } from '../../lambda/shared/contract/flag.ts';

/** A flag whose value a test sets directly (the SSM adapter has its own tests). */
export class FixedFlag implements FlagReader {
  private setting: FlagSetting;
  constructor(raw = 'on') {
    this.setting = parseFlag(raw);
  }
  set(raw: string): void {
    this.setting = parseFlag(raw);
  }
  async current(): Promise<FlagSetting> {
    return this.setting;
  }
}
