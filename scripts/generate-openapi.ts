import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  API_ERRORS,
  type ParameterDeclaration,
  ROUTES,
  type RouteDeclaration,
} from '../lambda/read-api/constants.ts';
import { RESPONSE_SCHEMAS } from '../lambda/read-api/domain/response-schemas.ts';

/** Where the OpenAPI document of the read API is committed. */
export const OPENAPI_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'openapi.json');

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (schema: unknown) => ({ 'application/json': { schema } });

function parameterOf(decl: ParameterDeclaration) {
  const item = { ...decl.schema };
  const schema = decl.list
    ? { type: 'string', description: `Comma-separated, at most ${decl.list.maxItems}; each: ${item.pattern}` }
    : item;
  return { name: decl.name, in: decl.in, required: decl.required, description: decl.description, schema };
}

function operationOf(route: RouteDeclaration) {
  const security = route.access === 'user' ? [{ sigv4: [] }, { endUserJwt: [] }] : [{ sigv4: [] }];
  return {
    operationId: route.operationId,
    summary: route.summary,
    security,
    parameters: [
      ...route.parameters.map(parameterOf),
      ...(route.conditional
        ? [{ name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }]
        : []),
    ],
    responses: {
      '200': {
        description: route.asynchronous ? 'Done' : 'OK',
        ...(route.conditional
          ? {
              headers: {
                ETag: {
                  description:
                    'A hash of the body: it changes whenever the body does, and never names two different bodies',
                  schema: { type: 'string' },
                },
              },
            }
          : {}),
        content: jsonContent(ref(route.responseSchema)),
      },
      ...(route.asynchronous
        ? {
            '202': {
              description:
                'Accepted: the work runs in the background; send the request again to learn when it is done',
              content: jsonContent(ref(route.responseSchema)),
            },
          }
        : {}),
      ...(route.conditional ? { '304': { description: 'Not modified since the ETag sent' } } : {}),
      '400': { description: 'Invalid parameter or cursor', content: jsonContent(ref('Error')) },
      '401': {
        description: 'Missing or invalid token (JWT mode)',
        content: jsonContent(ref('GatewayError')),
      },
      '403': {
        description: 'Unsigned or not permitted (IAM), or another user’s profile (JWT)',
        content: jsonContent({ oneOf: [ref('GatewayError'), ref('Error')] }),
      },
      '429': { description: 'Throttled by the stage', content: jsonContent(ref('GatewayError')) },
      '500': { description: 'The read failed; retry with backoff', content: jsonContent(ref('Error')) },
    },
  };
}

/** The OpenAPI 3.1 document of the read API, from the same declarations the handler validates with. */
export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tournament profile read API',
      version: '1.0.0',
      description:
        'Profile statistics and activity feeds. Errors of the API carry `{ "error": { "code", "message" } }` ' +
        `(codes: ${Object.values(API_ERRORS)
          .map((e) => e.code)
          .join(', ')}); API Gateway's own refusals carry \`{ "message" }\`.`,
    },
    servers: [{ url: '{baseUrl}', variables: { baseUrl: { default: 'http://127.0.0.1:4011' } } }],
    paths,
    components: {
      schemas: RESPONSE_SCHEMAS,
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS Signature Version 4, service execute-api (IAM mode; the default)',
        },
        endUserJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'JWT mode only' },
      },
    },
  };
}

/** The committed file's content: two-space JSON with a final newline. */
export const renderOpenApi = (): string => `${JSON.stringify(openApiDocument(), null, 2)}\n`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(OPENAPI_FILE, renderOpenApi());
  console.log(`wrote ${OPENAPI_FILE}`);
}
