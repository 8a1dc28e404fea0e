/**
 * Successive frames of a `-w` view. On a terminal a new frame replaces the previous one in place
 * (cursor up, clear to the end of the screen); elsewhere each changed frame is appended after a
 * blank line, so a log or a pipe reads as a sequence of snapshots. Unchanged frames are skipped.
 */

/** A view that is redrawn as its data changes. */
export interface LiveFrames {
  /** Shows a frame (text ending in a newline) unless it equals the one on screen. */
  show(frame: string): void;
  /** Appends a line below the current frame; the next frame is drawn under it. */
  note(line: string): void;
}

const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/**
 * Frames written through `write`.
 * @param redraw replace the previous frame in place (a terminal; see terminalStyle)
 */
export function liveFrames(write: (text: string) => void, redraw: boolean): LiveFrames {
  let last: string | undefined;
  let onScreen = 0; // lines of the frame that a redraw replaces
  let shown = false;
  return {
    show(frame) {
      if (frame === last) return;
      if (redraw) write(`${onScreen ? `\u001b[${String(onScreen)}A\u001b[J` : ''}${frame}`);
      else write(`${shown ? '\n' : ''}${frame}`);
      last = frame;
      onScreen = lineCount(frame);
      shown = true;
    },
    note(line) {
      write(line.endsWith('\n') ? line : `${line}\n`);
      onScreen = 0;
      last = undefined;
      shown = false;
    },
  };
}
