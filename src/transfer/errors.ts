/** Errors of the disk data path that the shared classes of `api/errors.ts` do not cover. */
import { MtvError } from '../api/errors.js';

/**
 * A VMDK whose format mtv cannot copy (a snapshot delta, a raw device mapping, an unknown
 * `createType` or extent type), or whose descriptor cannot be read.
 *
 * @see https://github.com/libyal/libvmdk/blob/main/documentation/VMWare%20Virtual%20Disk%20Format%20(VMDK).asciidoc
 */
export class UnsupportedDiskError extends MtvError {
  /** The disk's descriptor, `[ds] dir/file.vmdk`. */
  readonly diskFile: string;
  /** The descriptor's `createType`, when it could be read. */
  readonly createType: string | undefined;
  constructor(
    diskFile: string,
    createType: string | undefined,
    message: string,
    options?: { hint?: string },
  ) {
    super(`disk ${diskFile}${createType ? ` (createType "${createType}")` : ''}: ${message}`, options);
    this.diskFile = diskFile;
    this.createType = createType;
  }
}

/**
 * `qemu-img` failed, or is not installed.
 * @see https://www.qemu.org/docs/master/tools/qemu-img.html
 */
export class ConversionError extends MtvError {
  /** The exit status of `qemu-img`; undefined when it did not start or was killed by a signal. */
  readonly qemuImgStatus: number | undefined;
  constructor(
    message: string,
    qemuImgStatus: number | undefined,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(message, options);
    this.qemuImgStatus = qemuImgStatus;
  }
}
