/** `qemu-img convert` into a raw target, spawned, with its progress parsed. */
import { spawn } from 'node:child_process';
import { ConversionError } from './errors.js';

/**
 * Options of {@link qemuImgConvert}.
 * @see https://www.qemu.org/docs/master/tools/qemu-img.html
 */
export interface QemuImgConvertOptions {
  /** The `qemu-img` executable. @default "qemu-img" (from PATH) */
  qemuImg?: string;
  /** Source format (`-f`), never probed. @default "vmdk" */
  sourceFormat?: string;
  /**
   * Write into an existing target without creating or truncating it (`-n`), as a block device
   * needs. @default false (qemu-img creates the file, sparse)
   */
  existingTarget?: boolean;
  /** Receives the percentage done (0–100) as qemu-img reports it (`-p`). */
  onPercent?: (percent: number) => void;
  /** Kills qemu-img (SIGTERM); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Converts an image into a raw one: `qemu-img convert -p -f <fmt> -O raw [-n] <source> <target>`.
 * qemu-img leaves holes for zero areas (`-S 4k`, its default) in a file it creates.
 *
 * @throws {@link ConversionError} when qemu-img is missing or fails (with the end of its stderr);
 * the signal's reason when aborted.
 * @see https://www.qemu.org/docs/master/tools/qemu-img.html#cmdoption-qemu-img-arg-convert
 */
export function qemuImgConvert(
  source: string,
  target: string,
  options: QemuImgConvertOptions = {},
): Promise<void> {
  const qemuImg = options.qemuImg ?? 'qemu-img';
  const args = ['convert', '-p', '-f', options.sourceFormat ?? 'vmdk', '-O', 'raw'];
  if (options.existingTarget) args.push('-n');
  args.push(source, target);
  options.signal?.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const child = spawn(qemuImg, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString('latin1');
      const { percents, rest } = parseQemuImgProgress(pending);
      pending = rest;
      for (const p of percents) options.onPercent?.(p);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-2000);
    });
    child.on('error', (e: Error & { code?: string }) => {
      if (options.signal?.aborted) reject(options.signal.reason as Error);
      else if (e.code === 'ENOENT') {
        reject(
          new ConversionError(
            `${qemuImg} not found: it is needed to convert sparse and stream-optimized VMDKs`,
            undefined,
            {
              hint: 'install qemu-img (Debian/Ubuntu: apt-get install qemu-utils; Fedora/RHEL: dnf install qemu-img)',
              cause: e,
            },
          ),
        );
      } else reject(new ConversionError(`${qemuImg} could not run: ${e.message}`, undefined, { cause: e }));
    });
    child.on('close', (code, signal) => {
      if (options.signal?.aborted) reject(options.signal.reason as Error);
      else if (code === 0) resolve();
      else {
        const why = stderr.trim().split('\n').slice(-3).join(' ');
        reject(
          new ConversionError(
            `${qemuImg} ${args.join(' ')} failed (${signal ?? `exit ${code}`})${why ? `: ${why}` : ''}`,
            code ?? undefined,
          ),
        );
      }
    });
  });
}

/**
 * Extracts the percentages of qemu-img's `-p` output (`    (12.34/100%)\r`).
 * @returns the complete reports found, and the unparsed tail to prepend to the next output.
 * @see https://www.qemu.org/docs/master/tools/qemu-img.html
 */
export function parseQemuImgProgress(text: string): { percents: number[]; rest: string } {
  const percents: number[] = [];
  const re = /\((\d+(?:\.\d+)?)\/100%\)/g;
  let end = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    percents.push(Number(m[1]));
    end = re.lastIndex;
  }
  const rest = text.slice(end);
  return { percents, rest: rest.length > 64 ? rest.slice(-64) : rest };
}
