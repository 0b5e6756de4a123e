import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

/** A running process as /proc shows it (Linux). */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** The command line, arguments joined by spaces. */
  readonly command: string;
}

/** `/proc/<pid>/stat` after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // exited while being read
  }
}

/** Every live process (zombies left out: they hold no port and no memory). */
export function processes(): ProcessInfo[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      const fields = statFields(pid);
      if (!fields || fields[0] === 'Z') return [];
      let command = '';
      try {
        command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      } catch {
        return [];
      }
      return [{ pid: Number(pid), ppid: Number(fields[1]), pgid: Number(fields[2]), command }];
    });
}

/** The live processes of a process group. */
export const processGroup = (pgid: number): ProcessInfo[] => processes().filter((p) => p.pgid === pgid);

/** The live processes among `pids`. */
export const alive = (pids: readonly number[]): ProcessInfo[] =>
  processes().filter((p) => pids.includes(p.pid));

/** Whether something accepts connections on this loopback port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
