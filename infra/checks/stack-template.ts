import { CfnResource, Stack, Token } from 'aws-cdk-lib';

/** One resource as the synthesized template holds it (overrides applied, tokens resolved to intrinsics). */
export interface TemplateResource {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Readonly<Record<string, unknown>>;
  /** The resource's CloudFormation `Metadata` section, where the project's markers live. */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly construct: CfnResource;
}

/** The values a deployed name depends on, when the synth already knows them. */
export interface StackEnvironment {
  /** The stack's deployed name; undefined when it is a token until deploy time. */
  readonly stackName: string | undefined;
  readonly region: string | undefined;
  readonly account: string | undefined;
  readonly partition: string | undefined;
  readonly urlSuffix: string | undefined;
}

/** The resources of one stack, by logical ID, and its environment. */
export interface StackTemplate {
  readonly stack: Stack;
  readonly environment: StackEnvironment;
  readonly resources: ReadonlyMap<string, TemplateResource>;
  /** The entry of a resource of this stack. */
  resourceOf(node: CfnResource): TemplateResource;
}

/**
 * Builds {@link StackTemplate}s from the construct tree, one per stack, and keeps them for one
 * validation run: several rules look across the stack (alarms watching a queue, a rule matching
 * alarms), and resolving every resource once per rule would be quadratic.
 */
export class StackTemplates {
  private readonly built = new Map<Stack, StackTemplate>();

  /** The template of the stack that `node` belongs to. */
  of(node: CfnResource): StackTemplate {
    const stack = Stack.of(node);
    let template = this.built.get(stack);
    if (!template) {
      template = buildTemplate(stack);
      this.built.set(stack, template);
    }
    return template;
  }
}

function buildTemplate(stack: Stack): StackTemplate {
  const resources = new Map<string, TemplateResource>();
  const byConstruct = new Map<CfnResource, TemplateResource>();
  for (const construct of stack.node.findAll()) {
    // A nested stack's resources are deployed by another stack, with another name.
    if (!CfnResource.isCfnResource(construct) || Stack.of(construct) !== stack) continue;
    const entry = templateResource(stack, construct);
    resources.set(entry.logicalId, entry);
    byConstruct.set(construct, entry);
  }
  return {
    stack,
    environment: environmentOf(stack),
    resources,
    resourceOf(node) {
      const entry = byConstruct.get(node);
      if (!entry) throw new Error(`${node.node.path} is not a resource of stack ${stack.node.path}`);
      return entry;
    },
  };
}

/** The resource exactly as `Stack` writes it into the template (`_toCloudFormation` is what synthesis calls). */
function templateResource(stack: Stack, construct: CfnResource): TemplateResource {
  const rendered = stack.resolve(construct._toCloudFormation()) as {
    Resources: Record<
      string,
      { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
    >;
  };
  const [logicalId, body] = Object.entries(rendered.Resources)[0] ?? [];
  if (!logicalId || !body) throw new Error(`${construct.node.path} renders no resource`);
  return {
    logicalId,
    type: body.Type,
    properties: body.Properties ?? {},
    metadata: body.Metadata ?? {},
    construct,
  };
}

function environmentOf(stack: Stack): StackEnvironment {
  const known = (value: string) => (Token.isUnresolved(value) ? undefined : value);
  return {
    stackName: known(stack.stackName),
    region: known(stack.region),
    account: known(stack.account),
    partition: known(stack.partition),
    urlSuffix: known(stack.urlSuffix),
  };
}
