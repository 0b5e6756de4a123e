/**
 * The code blocks of the documentation marked `runnable` (```ts runnable, ```sh runnable, …): found,
 * pointed at a local stack, and run as a user would run them.
 */
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The pages whose blocks may be marked: every page of docs/, and the Python package's README. */
export const DOCUMENTS = [
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  'clients/python/README.md',
];

/** One fenced block marked `runnable`. */
export interface Snippet {
  readonly document: string;
  /** Line of the opening fence, from 1. */
  readonly line: number;
  readonly language: string;
  readonly code: string;
  /** Marked `publishes`: the stack must record at least one activity while it runs. */
  readonly publishes: boolean;
}

/** The blocks of `document` whose info string holds the word `runnable`. */
export function runnableSnippets(document: string): Snippet[] {
  const text = readFileSync(join(ROOT, document), 'utf8');
  return [...text.matchAll(/^```(\w+)([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm)]
    .map((m) => ({ match: m, words: (m[2] as string).trim().split(/\s+/) }))
    .filter(({ words }) => words.includes('runnable'))
    .map(({ match, words }) => ({
      document,
      line: text.slice(0, match.index).split('\n').length,
      language: match[1] as string,
      code: match[3] as string,
      publishes: words.includes('publishes'),
    }));
}

/** Where the local stack the snippets meet listens, in place of `npm start`'s default ports. */
export interface StackAddresses {
  readonly endpoint: string;
  readonly apiUrl: string;
  readonly dynamodbEndpoint: string;
}

/**
 * The snippet as written, its `npm start` addresses (127.0.0.1:4010, :4011, :8000) replaced by
 * those of the stack the test started on free ports: the only change made to it.
 */
export function pointedAt(code: string, stack: StackAddresses): string {
  const host = (url: string) => new URL(url).host;
  return code
    .replaceAll('127.0.0.1:4010', host(stack.endpoint))
    .replaceAll('127.0.0.1:4011', host(stack.apiUrl))
    .replaceAll('127.0.0.1:8000', host(stack.dynamodbEndpoint));
}

/** The Python a user of the hooks has: Debian's when it has their dependencies (CI), else `python3`. */
export function python(): string {
  const usable = (candidate: string) =>
    spawnSync(candidate, ['-c', 'import boto3, jsonschema'], { stdio: 'ignore' }).status === 0;
  const found = ['/usr/bin/python3', 'python3'].find(usable);
  if (!found)
    throw new Error('no python3 with boto3 and jsonschema: install python3-boto3 and python3-jsonschema');
  return found;
}

/** A shell with nothing of the machine's AWS set-up: only what a snippet says reaches the SDKs. */
export function blankEnvironment(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    npm_config_update_notifier: 'false',
    // As if `pip install ./clients/python` had been run: the hooks package from this checkout.
    PYTHONPATH: join(ROOT, 'clients', 'python', 'src'),
  };
}

/** What a snippet printed and how it ended. */
export interface SnippetRun {
  readonly code: number;
  readonly output: string;
}

/** The file a TypeScript snippet is written to in `workspace` (which resolves the client package). */
export const typescriptFile = (workspace: string, snippet: Snippet) =>
  join(workspace, `${snippet.document.replaceAll('/', '-')}-${snippet.line}.mts`);

/** The command that runs a snippet: TypeScript through tsx in `workspace`, the rest from the root. */
function command(snippet: Snippet, workspace: string): { file: string; args: string[]; cwd: string } {
  switch (snippet.language) {
    case 'ts':
      return {
        file: process.execPath,
        args: ['--import', 'tsx', typescriptFile(workspace, snippet)],
        cwd: workspace,
      };
    case 'js':
    case 'mjs': {
      const file = join(workspace, `${snippet.document.replaceAll('/', '-')}-${snippet.line}.mjs`);
      writeFileSync(file, snippet.code);
      return { file: process.execPath, args: [file], cwd: workspace };
    }
    case 'sh':
    case 'bash':
      return { file: 'bash', args: ['-eo', 'pipefail', '-c', snippet.code], cwd: ROOT };
    case 'python':
      return { file: python(), args: ['-c', snippet.code], cwd: ROOT };
    default:
      throw new Error(
        `${snippet.document}:${snippet.line}: no runner for \`${snippet.language}\` blocks: use ts, js, sh or python, or unmark it`,
      );
  }
}

/** Runs one snippet (already pointed at the stack) to its end, without blocking this process. */
export function runSnippet(snippet: Snippet, workspace: string, env: NodeJS.ProcessEnv): Promise<SnippetRun> {
  const { file, args, cwd } = command(snippet, workspace);
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}
