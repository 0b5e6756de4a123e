import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

import { ERASURE_LOG_PARTITION } from '../../lambda/shared/erased-users.ts';

/** Properties of {@link ErasureAccess}. */
export interface ErasureAccessProps {
  readonly activities: ITable;
  readonly stats: ITable;
  readonly deadLetters: ITable;
  /** Functions that skip erased users: they may query the erasure log partition and nothing more. */
  readonly logReaders: readonly IGrantable[];
}

/**
 * What erasure needs, granted narrowly. The functions that write for users read only the erasure
 * log's partition of the statistics table (`dynamodb:LeadingKeys`). The erase path (`tpi erase`,
 * an operator role) gets a managed policy with exactly the reads and deletes it performs: query and
 * delete in the activity and statistics tables, scan and delete dead letters, the record and log
 * writes as a transaction. It cannot update activities nor read anything else.
 */
export class ErasureAccess extends Construct {
  /** Attach to the role operators use for erasures. */
  readonly operatorPolicy: ManagedPolicy;
  private readonly statisticsTableArn: string;

  constructor(scope: Construct, id: string, props: ErasureAccessProps) {
    super(scope, id);
    this.statisticsTableArn = props.stats.tableArn;
    for (const reader of props.logReaders) this.allowLogRead(reader);

    this.operatorPolicy = new ManagedPolicy(this, 'OperatorPolicy', {
      description: 'Erase a user (tpi erase): find and delete their items, write the erasure record and log',
      statements: [
        new PolicyStatement({
          sid: 'EraseActivities',
          // Deletes go out as BatchWriteItem, authorised as such.
          actions: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
          resources: [props.activities.tableArn],
        }),
        new PolicyStatement({
          sid: 'EraseStatisticsAndRecord',
          actions: [
            'dynamodb:Query',
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:DeleteItem',
            'dynamodb:BatchWriteItem',
          ],
          resources: [props.stats.tableArn],
        }),
        new PolicyStatement({
          sid: 'EraseDeadLetters',
          actions: ['dynamodb:Scan', 'dynamodb:BatchWriteItem'],
          resources: [props.deadLetters.tableArn],
        }),
      ],
    });
  }

  /** Lets a function query the erasure log's partition, and nothing else of the statistics table. */
  allowLogRead(reader: IGrantable): void {
    reader.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadErasureLog',
        actions: ['dynamodb:Query'],
        resources: [this.statisticsTableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [ERASURE_LOG_PARTITION] } },
      }),
    );
  }
}
