import { Duration } from 'aws-cdk-lib';
import { type Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { AccountPrincipal, ArnPrincipal, type IPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';

/** Properties of {@link TournamentBus}. */
export interface TournamentBusProps {
  /** Name of the custom bus publishers send to. */
  readonly eventBusName: string;
  /** The `Source` every event of the integration carries; the archive keeps exactly those. */
  readonly eventSource: string;
  /** Days the archive keeps events for replay. */
  readonly archiveRetentionDays: number;
  /**
   * Accounts (12 digits) or principal ARNs of other accounts allowed to put events on the bus, only
   * with the integration's source and detail types. Same-account publishers need only an identity
   * policy.
   *
   * @default - none: no resource policy
   */
  readonly publisherPrincipals?: readonly string[];
}

/**
 * The custom bus of the tournament platform's events, its archive for replays, and the resource
 * policy that lets the configured publishers in.
 *
 * The bus itself has the id `Default`, which CDK leaves out of logical IDs: the bus and archive keep
 * the logical IDs they had when the stack declared them directly (`Bus`, `BusArchive…`), so an
 * update of a deployed stack does not replace them.
 */
export class TournamentBus extends Construct {
  readonly eventBus: EventBus;
  readonly archive: Archive;

  constructor(scope: Construct, id: string, props: TournamentBusProps) {
    super(scope, id);
    this.eventBus = new EventBus(this, 'Default', {
      eventBusName: props.eventBusName,
      description: 'Tournament platform events for the profile integration',
    });
    this.archive = this.eventBus.archive('Archive', {
      description: `Every ${props.eventSource} event, for replay after an outage or a flag change`,
      eventPattern: { source: [props.eventSource] },
      retention: Duration.days(props.archiveRetentionDays),
    });
    this.allowPublishers(props.publisherPrincipals ?? [], props.eventSource);
  }

  private allowPublishers(publishers: readonly string[], eventSource: string): void {
    if (publishers.length === 0) return;
    const principals: IPrincipal[] = publishers.map((principal) =>
      /^\d{12}$/.test(principal) ? new AccountPrincipal(principal) : new ArnPrincipal(principal),
    );
    this.eventBus.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowTournamentPublishers',
        principals,
        actions: ['events:PutEvents'],
        resources: [this.eventBus.eventBusArn],
        conditions: {
          StringEquals: {
            'events:source': [eventSource],
            'events:detail-type': EVENT_TYPES.map((type) => type.detailType),
          },
        },
      }),
    );
  }
}
