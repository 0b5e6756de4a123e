import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import { Construct } from 'constructs';
import { EVENT_TYPES } from '../../lambda/shared/contract/event-types.ts';
import { registrySchemaOf } from '../../lambda/shared/contract/json-schema.ts';

/** Properties of {@link EventSchemas}. */
export interface EventSchemasProps {
  /** The `source` the events carry; part of each schema's name, as schema discovery names them. */
  readonly eventSource: string;
  readonly busName: string;
}

/**
 * An EventBridge schema registry with one schema per event type, generated from the same
 * declarations the handler validates with, so publishers can download code bindings that agree
 * with what is accepted. The registry name is generated, so stages never collide.
 */
export class EventSchemas extends Construct {
  readonly registry: CfnRegistry;
  readonly schemas: readonly CfnSchema[];

  constructor(scope: Construct, id: string, props: EventSchemasProps) {
    super(scope, id);
    this.registry = new CfnRegistry(this, 'Registry', {
      description: `Tournament events accepted on the ${props.busName} bus`,
    });
    this.schemas = EVENT_TYPES.map((type) => {
      const schema = registrySchemaOf(type.detailType, { source: props.eventSource });
      return new CfnSchema(this, type.detailType, {
        registryName: this.registry.attrRegistryName,
        schemaName: `${props.eventSource}@${type.detailType}`,
        type: schema.type,
        content: schema.content,
        description: type.description,
      });
    });
  }
}
