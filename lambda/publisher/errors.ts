import { IntegrationError } from '../shared/errors.ts';

/** Errors the publisher throws into the platform's code. */

/** One contract violation found before sending, naming the field. */
export interface PublishIssue {
  /** Position of the event in the `publishMany` input (0 for `publish`). */
  readonly index: number;
  readonly detailType: string;
  /** Dotted path of the field inside the detail, `""` for the detail as a whole. */
  readonly path: string;
  readonly message: string;
}

/**
 * An event breaks the contract, so nothing of the call was sent: the recording side would refuse
 * it into its dead-letter store. Fix the code that builds the detail; resending cannot help.
 * `cause` holds the zod error of the first invalid event, when there was one.
 */
export class PublishValidationError extends IntegrationError {
  override readonly name = 'PublishValidationError';
  constructor(
    readonly issues: readonly PublishIssue[],
    options?: { cause?: unknown },
  ) {
    super(
      `not published, the event breaks the tournament event contract: ${issues
        .map((i) => `#${i.index} ${i.detailType} ${i.path ? `detail.${i.path}` : 'detail'}: ${i.message}`)
        .join('; ')}`,
      options,
    );
  }
}
