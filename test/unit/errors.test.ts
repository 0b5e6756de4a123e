import { describe, expect, it } from 'vitest';
import * as cliErrors from '../../bin/cli/errors.ts';
import * as auditErrors from '../../lambda/audit/errors.ts';
import * as clientErrors from '../../lambda/client/errors.ts';
import * as publisherErrors from '../../lambda/publisher/errors.ts';
import * as readApiErrors from '../../lambda/read-api/errors.ts';
import * as recordingErrors from '../../lambda/recording/errors.ts';
import * as rolloutErrors from '../../lambda/rollout/errors.ts';
import * as sharedErrors from '../../lambda/shared/errors.ts';
import * as statisticsErrors from '../../lambda/statistics/errors.ts';
import * as localErrors from '../../local/errors.ts';

/** The errors modules: the shared base, each feature's, the packages', the local stack's and the CLI's. */
const errors = {
  ...sharedErrors,
  ...recordingErrors,
  ...statisticsErrors,
  ...readApiErrors,
  ...rolloutErrors,
  ...auditErrors,
  ...publisherErrors,
  ...clientErrors,
  ...localErrors,
  ...cliErrors,
};

/** Every error class the modules export, with arguments its constructor accepts. */
const CLASSES = Object.entries(errors as Record<string, unknown>).filter(
  (entry): entry is [string, new (...args: unknown[]) => Error] =>
    typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
);

/** Constructor arguments of the classes whose first parameter is not the message. */
const ARGUMENTS: Readonly<Record<string, readonly unknown[]>> = {
  InvalidEventError: [['detail.userIds: required']],
  PublishValidationError: [
    [{ index: 0, detailType: 'MatchFinalized', path: 'matchId', message: 'required' }],
  ],
  ProfileApiError: [404, 'NotFound', 'no such route'],
  AwsServiceError: ['ResourceNotFoundException', 'no such archive', 400],
};

describe('the errors module', () => {
  it('holds every error the project raises on purpose, local stack and CLI included', () => {
    // Assess
    expect(CLASSES.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'AwsServiceError',
        'DynamoDbLocalError',
        'InvocationTimedOutError',
        'JwtRejectedError',
        'LocalEndpointError',
        'LocalStackError',
        'RolloutError',
        'TargetError',
        'UsageError',
      ]),
    );
  });

  it.each(CLASSES)('%s extends IntegrationError and spells its own name', (className, ErrorClass) => {
    // Act
    const error = new ErrorClass(...(ARGUMENTS[className] ?? ['what went wrong']));

    // Assess
    expect(error).toBeInstanceOf(errors.IntegrationError);
    // An AWS-shaped error is named after the AWS exception it stands for, as the SDK names it.
    expect(error.name).toBe(className === 'AwsServiceError' ? 'ResourceNotFoundException' : className);
  });
});
