import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { KeyAttribute, TableDefinition } from '../../lambda/shared/tables.ts';

/** Properties of {@link IntegrationTable}. */
export interface IntegrationTableProps {
  /** The shared declaration (keys, indexes, stream, TTL) the local stack builds from too. */
  readonly definition: TableDefinition;
  /** Production turns deletion protection on. */
  readonly production: boolean;
  /** Keep the table when the stack is deleted: every stage but an ephemeral one. */
  readonly retain: boolean;
}

const attribute = (key: KeyAttribute) => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/**
 * A DynamoDB table from a {@link TableDefinition}, with the integration's defaults: on-demand,
 * point-in-time recovery, retained unless the stage is ephemeral, deletion protection in production.
 *
 * Encryption at rest uses the AWS-owned key: the tables hold platform ids and activity payloads,
 * nothing a regulation ties to a customer-managed key, and the AWS-owned key costs no KMS requests,
 * needs no key policy, and lets the stream consumer read without extra KMS grants. A customer
 * managed key is the upgrade when key-level audit becomes a requirement.
 */
export class IntegrationTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: IntegrationTableProps) {
    super(scope, id);
    const { definition, production, retain } = props;
    this.table = new Table(this, 'Table', {
      partitionKey: attribute(definition.partitionKey),
      ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.DEFAULT,
      ...(definition.stream
        ? {
            stream:
              definition.stream === 'NEW_IMAGE'
                ? StreamViewType.NEW_IMAGE
                : StreamViewType.NEW_AND_OLD_IMAGES,
          }
        : {}),
      deletionProtection: production,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const index of definition.localIndexes ?? [])
      this.table.addLocalSecondaryIndex({
        indexName: index.indexName,
        sortKey: attribute(index.sortKey),
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.projected],
      });
    Validations.of(this.table).acknowledge({
      id: 'cdk-validator-cfnguard::dynamodb_table_encrypted_kms_check',
      reason:
        'Encrypted at rest with the AWS-owned key (see above): no per-request KMS cost, no key policy for the stream consumer. A customer-managed key is the upgrade when key-level audit becomes a requirement.',
    });
  }
}
