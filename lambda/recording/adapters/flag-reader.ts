import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { type FlagSetting, parseFlag } from '../../shared/contract/flag.ts';
import type { FlagReader } from '../application/ports.ts';
import { DEFAULT_FLAG_CACHE_SECONDS } from '../constants.ts';
import { FlagUnavailableError } from '../errors.ts';
import { type ParametersExtension, parameterThroughExtension } from './parameters-extension.ts';

/** Options of {@link SsmFlagReader}. */
export interface SsmFlagReaderOptions {
  readonly parameterName: string;
  /** Where the Parameters and Secrets extension listens and the token it asks for. */
  readonly extension: ParametersExtension;
  /** @default 15 */
  readonly cacheSeconds?: number;
  /** Told when SSM failed and the last known value is used instead. */
  readonly onStale?: (error: unknown, lastKnown: FlagSetting) => void;
}

/**
 * A Powertools Parameters provider of one SSM `String` parameter: Powertools' cache (`maxAge`) over
 * one read through the Parameters and Secrets extension. The extension's own cache is off (the
 * stack says so), so this cache alone bounds how long a flag change takes.
 */
class StringParameterProvider extends BaseProvider {
  constructor(private readonly extension: ParametersExtension) {
    super({});
  }

  protected override _get(name: string): Promise<string | undefined> {
    return parameterThroughExtension(this.extension, name);
  }

  protected override _getMultiple(): Promise<undefined> {
    return Promise.reject(new Error('the flag is one parameter: read it with get'));
  }
}

/**
 * The flag from its SSM parameter through Powertools Parameters, cached. When SSM cannot be reached
 * the last value read is kept; with no value yet (cold start) it throws, so the event is retried
 * rather than dropped or recorded against the operator's wishes.
 */
export class SsmFlagReader implements FlagReader {
  private readonly provider: StringParameterProvider;
  private lastKnown: FlagSetting | undefined;
  /** While SSM is failing, the last known value is used until then without asking again. */
  private staleUntil = 0;

  constructor(private readonly options: SsmFlagReaderOptions) {
    this.provider = new StringParameterProvider(options.extension);
  }

  async current(): Promise<FlagSetting> {
    const { parameterName, cacheSeconds = DEFAULT_FLAG_CACHE_SECONDS } = this.options;
    if (this.lastKnown && Date.now() < this.staleUntil) return this.lastKnown;
    try {
      const raw = await this.provider.get(parameterName, { maxAge: cacheSeconds });
      if (typeof raw !== 'string') throw new Error(`parameter ${parameterName} has no string value`);
      this.lastKnown = parseFlag(raw);
      return this.lastKnown;
    } catch (error) {
      if (this.lastKnown) {
        this.staleUntil = Date.now() + cacheSeconds * 1000;
        this.options.onStale?.(error, this.lastKnown);
        return this.lastKnown;
      }
      throw new FlagUnavailableError(
        `cannot read the flag parameter ${parameterName} and no earlier value is known; the event will be retried. ` +
          'Check that the parameter exists, that the function has the AWS Parameters and Secrets Lambda Extension layer, and that it may call ssm:GetParameter on the parameter.',
        { cause: error },
      );
    }
  }
}
