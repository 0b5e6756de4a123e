import {
  type ParameterDeclaration,
  type ParameterValues,
  ROUTES,
  type RouteDeclaration,
} from '../constants.ts';

/** Requests checked against the API's declarations: parameters, and which route a path is. */

/** A request parameter failed its declaration. */
export interface ParameterProblem {
  readonly name: string;
  readonly message: string;
}

function checkValue(decl: ParameterDeclaration, value: string): string | undefined {
  const { schema } = decl;
  if (schema.type === 'integer') {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n)) return `must be a whole number, got "${value}"`;
    if (schema.minimum !== undefined && n < schema.minimum) return `must be at least ${schema.minimum}`;
    if (schema.maximum !== undefined && n > schema.maximum) return `must be at most ${schema.maximum}`;
    return undefined;
  }
  if (schema.maxLength !== undefined && value.length > schema.maxLength)
    return `must be at most ${schema.maxLength} characters`;
  if (schema.enum && !schema.enum.includes(value))
    return `"${value.slice(0, 80)}" is not one of ${schema.enum.join(', ')}`;
  if (schema.pattern && !new RegExp(schema.pattern).test(value))
    return `"${value.slice(0, 80)}" does not match ${schema.pattern}`;
  return undefined;
}

/** Validates a request's raw parameters against a route's declarations; every problem at once. */
export function parseParameters(
  route: RouteDeclaration,
  raw: {
    readonly path: Readonly<Record<string, string | undefined>>;
    readonly query: Readonly<Record<string, string | undefined>>;
  },
): { values: ParameterValues; problems: readonly ParameterProblem[] } {
  const values: Record<string, string | number | readonly string[]> = {};
  const problems: ParameterProblem[] = [];
  for (const decl of route.parameters) {
    const value = decl.in === 'path' ? raw.path[decl.name] : raw.query[decl.name];
    if (value === undefined || value === '') {
      if (decl.required) problems.push({ name: decl.name, message: 'is required' });
      else if (decl.schema.default !== undefined) values[decl.name] = decl.schema.default;
      continue;
    }
    if (decl.list) {
      const items = [...new Set(value.split(',').map((item) => item.trim()))];
      const bad = items.map((item) => checkValue(decl, item)).find((m) => m !== undefined);
      if (bad) problems.push({ name: decl.name, message: `each entry ${bad}` });
      else if (items.length > decl.list.maxItems)
        problems.push({
          name: decl.name,
          message: `names ${items.length} entries, at most ${decl.list.maxItems} are allowed: split the request`,
        });
      else values[decl.name] = items;
      continue;
    }
    const problem = checkValue(decl, value);
    if (problem) problems.push({ name: decl.name, message: problem });
    else values[decl.name] = decl.schema.type === 'integer' ? Number(value) : value;
  }
  return { values, problems };
}

/** A percent-decoded path segment; a malformed escape is kept as sent (the id check refuses it). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The route a method and path match, with its path parameters (API Gateway's matching: literal
 * segments equal, `{name}` one non-empty segment). `undefined` when none does.
 */
export function matchRoute(
  method: string,
  path: string,
): { route: RouteDeclaration; pathParameters: Record<string, string> } | undefined {
  const segments = path.split('/').slice(1);
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const template = route.path.split('/').slice(1);
    if (template.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = template.every((part, i) => {
      const segment = segments[i] as string;
      if (part.startsWith('{')) {
        if (segment === '') return false;
        pathParameters[part.slice(1, -1)] = decodeSegment(segment);
        return true;
      }
      return part === segment;
    });
    if (matches) return { route, pathParameters };
  }
  return undefined;
}
