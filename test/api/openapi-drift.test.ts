import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../lambda/read-api/constants.ts';
import { OPENAPI_FILE, openApiDocument, renderOpenApi } from '../../scripts/generate-openapi.ts';

describe('the committed OpenAPI document', () => {
  it('is what `npm run openapi` generates from the route declarations today (run it if this fails)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApi());
  });

  it('has one operation per declared route, each with the declared parameters and limits', () => {
    const document = openApiDocument();
    for (const route of ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()] as {
        operationId: string;
        parameters: { name: string; schema: Record<string, unknown> }[];
      };
      expect(operation.operationId).toBe(route.operationId);
      for (const decl of route.parameters) {
        const parameter = operation.parameters.find((p) => p.name === decl.name);
        expect(parameter, `${route.path} ${decl.name}`).toBeDefined();
        if (!decl.list) expect(parameter?.schema).toEqual(decl.schema);
      }
    }
  });
});
